using RtmpRelay.Fuzz;

namespace RtmpRelay.Tests.Fuzz;

/// <summary>Alone, so the process-wide allocation count is this test's own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CorpusReplayCollection
{
    public const string Name = "Corpus replay";
}

/// <summary>
/// Every committed fuzz input (tests/RtmpRelay.Fuzz/corpus/&lt;target&gt;/*), crash regressions included, replayed
/// through the same entry point AFL drives (<see cref="FuzzTargets.Run"/>): no exception other than the protocol's own,
/// within a time and an allocation bound. No AFL needed.
/// </summary>
[Collection(CorpusReplayCollection.Name)]
public class CorpusReplayTests
{
    private const long MaxAllocatedBytes = 64L * 1024 * 1024;
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(60);

    public static string CorpusFolder { get; } = FindCorpus();

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FuzzTargets.Names.Order(StringComparer.Ordinal))
        {
            var folder = Path.Combine(CorpusFolder, target);
            if (!Directory.Exists(folder))
            {
                continue;
            }
            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                data.Add(target, Path.GetFileName(file));
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task Replay_CorpusInput_NothingButTheProtocolsOwnErrorsWithinBounds(string target, string file)
    {
        var input = await File.ReadAllBytesAsync(Path.Combine(CorpusFolder, target, file));
        FuzzTargets.Run(target, input); // warm up: JIT and statics are not the input's cost

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var replay = Task.Run(() => FuzzTargets.Run(target, input));
        await replay.WaitAsync(MaxTime); // a TimeoutException here is a hang the input causes
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(allocated < MaxAllocatedBytes, $"{target}/{file} allocated {allocated:N0} bytes (bound {MaxAllocatedBytes:N0})");
    }

    [Fact]
    public void Corpus_EveryTargetHasInputs_TwentyOrMoreInAll()
    {
        var counts = FuzzTargets.Names.ToDictionary(t => t, t => Directory.Exists(Path.Combine(CorpusFolder, t)) ? Directory.GetFiles(Path.Combine(CorpusFolder, t)).Length : 0);

        Assert.All(counts, pair => Assert.True(pair.Value >= 3, $"corpus/{pair.Key} has {pair.Value} inputs"));
        Assert.True(counts.Values.Sum() >= 20, $"the corpus has {counts.Values.Sum()} inputs");
    }

    /// <summary>The corpus is read where it is committed: found from the test's output folder up to the repository root.</summary>
    private static string FindCorpus()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var corpus = Path.Combine(dir.FullName, "tests", "RtmpRelay.Fuzz", "corpus");
            if (File.Exists(Path.Combine(dir.FullName, "RtmpRelay.sln")) && Directory.Exists(corpus))
            {
                return corpus;
            }
        }
        throw new DirectoryNotFoundException($"tests/RtmpRelay.Fuzz/corpus not found above {AppContext.BaseDirectory}");
    }
}
