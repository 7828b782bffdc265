// The tests' and the benchmarks' shared smtp sink lives in tools/, which imports neither.
export * from '../../tools/smtp-sink';
