namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// The verdict of <see cref="RecordingRunsComparer"/>, with what it measured: each run's timestamp offset from its
/// source and the pause between consecutive runs in the recording's time.
/// </summary>
internal sealed class RunsComparison
{
    public RunsComparison(OracleResult verdict, IReadOnlyList<long?> offsets, IReadOnlyList<TimeSpan?> gaps)
    {
        Verdict = verdict;
        Offsets = offsets;
        Gaps = gaps;
    }

    public OracleResult Verdict { get; }

    public bool Passed => Verdict.Passed;

    public string Report => Verdict.Report;

    /// <summary>Per run, the offset (in the time base, ms for FLV) of its packets from its source's; null when none of its packets was found.</summary>
    public IReadOnlyList<long?> Offsets { get; }

    /// <summary>
    /// Per run, the time from the end of the run before it (its last packet's dts plus duration, over both streams) to
    /// its own first packet (over both streams), in the recording's time; null for the first run and when an offset is unknown.
    /// </summary>
    public IReadOnlyList<TimeSpan?> Gaps { get; }
}
