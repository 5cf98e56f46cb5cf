using System.Text;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>The verdict of an oracle: the problems found (none = passed), per-stream counts, and a readable report.</summary>
internal sealed class OracleResult
{
    public OracleResult(string title, IReadOnlyList<string> problems, IReadOnlyList<StreamComparison> streams, string details)
    {
        Title = title;
        Problems = problems;
        Streams = streams;
        Details = details;
    }

    public string Title { get; }

    public IReadOnlyList<string> Problems { get; }

    public IReadOnlyList<StreamComparison> Streams { get; }

    /// <summary>Context for the problems: the packets around the first mismatch, lists of missing and extra packets.</summary>
    public string Details { get; }

    public bool Passed => Problems.Count == 0;

    public StreamComparison? Stream(string mediaType) => Streams.FirstOrDefault(s => s.MediaType == mediaType);

    /// <summary>Title, verdict, per-stream counts, problems and details: what an assertion message should show.</summary>
    public string Report
    {
        get
        {
            var text = new StringBuilder();
            text.AppendLine($"{Title}: {(Passed ? "PASSED" : $"FAILED ({Problems.Count} problem(s))")}");
            foreach (var s in Streams)
            {
                text.AppendLine($"  {s.MediaType}: expected {s.ExpectedCount} packets, got {s.ActualCount}; " +
                    $"first mismatch at {(s.FirstMismatchIndex?.ToString() ?? "-")}; missing {s.Missing}, extra {s.Extra}, " +
                    $"timestamp mismatches {s.TimestampMismatches}");
            }

            foreach (var problem in Problems)
            {
                text.AppendLine("  - " + problem);
            }

            if (!Passed && Details.Length > 0)
            {
                text.Append(Details);
            }

            return text.ToString();
        }
    }

    public override string ToString() => Report;
}
