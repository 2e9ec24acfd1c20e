using BenchmarkDotNet.Running;

// ./build.sh bench                       -> choose interactively
// ./build.sh bench --filter '*Pipeline*' -> one class (any BenchmarkDotNet argument works)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
