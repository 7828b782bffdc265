import 'reflect-metadata';
import { runProcess } from './process-entry';

// API and workers in one process, or whatever PROCESS_ROLE says. `--demo` seeds demo data.
void runProcess({ demo: process.argv.includes('--demo') });
