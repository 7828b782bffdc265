import 'reflect-metadata';
import { runProcess } from './process-entry';

// BullMQ workers and scheduled jobs only, whatever PROCESS_ROLE says.
void runProcess({ role: 'worker' });
