namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// The interop tests run one at a time (real processes, real ports, a 2-core machine), and not in parallel with any
/// other collection of this assembly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InteropCollection
{
    public const string Name = "Interop";
}
