// The tests' and the benchmarks' shared sms sink lives in tools/, which imports neither.
export * from '../../tools/sms-sink';
