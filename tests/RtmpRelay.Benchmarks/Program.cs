using BenchmarkDotNet.Running;

namespace RtmpRelay.Benchmarks;

/// <summary>
/// Entry point: BenchmarkDotNet's switcher, so any subset runs by filter, e.g.
/// <c>dotnet run -c Release --project tests/RtmpRelay.Benchmarks -- --filter '*'</c> (everything),
/// <c>--filter '*FanOut*'</c>, or <c>--list flat</c>. Add <c>--job short</c> for a quick, less precise run.
/// Every benchmark class carries [MemoryDiagnoser], so the tables include allocated bytes per operation.
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
