// The tests' and the benchmarks' shared wait for lives in tools/, which imports neither.
export * from '../../tools/wait-for';
