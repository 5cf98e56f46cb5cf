using System.Globalization;
using System.Text;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// The oracle for a destination that keeps failing, read from the relay's log: it was tried at least a given number
/// of times; every failure is a Warning (event 402) that says why and how long the relay waits, every attempt an
/// Information (event 400); the k-th announced delay (k = 0 for the first failure) is at most
/// min(MaxDelay, InitialDelay * 2^k) (full jitter: anything from 0 up to that is right); and the next attempt really
/// comes that long after the failure, give or take the allowed slack.
/// </summary>
internal static class RetryBackoffOracle
{
    public static OracleResult Check(
        RelayLog log,
        string streamKey,
        string destination,
        TimeSpan initialDelay,
        TimeSpan maxDelay,
        int minAttempts,
        TimeSpan earlySlack,
        TimeSpan lateSlack,
        string? reasonContains = null)
    {
        var problems = new List<string>();
        var details = new StringBuilder();
        var who = RelayLog.Prefix(streamKey, destination).TrimEnd();
        var attempts = log.ConnectAttempts(streamKey, destination);
        var retries = log.Retries(streamKey, destination);

        if (attempts.Count < minAttempts)
        {
            problems.Add($"{who}: {attempts.Count} connect attempt(s) logged, expected at least {minAttempts}.");
        }

        foreach (var attempt in attempts.Where(a => a.EventId != RelayLog.ConnectingEventId || a.Level != "info"))
        {
            problems.Add($"{who}: attempt at {attempt} is {attempt.Level}[{attempt.EventId}], expected info[{RelayLog.ConnectingEventId}].");
        }

        for (var k = 0; k < retries.Count; k++)
        {
            var retry = retries[k];
            var cap = Cap(initialDelay, maxDelay, k);
            var gap = retry.Gap;
            details.AppendLine($"  failure {k}: {retry.Failure}");
            details.AppendLine($"      delay {retry.DelayMilliseconds} ms (cap {cap.TotalMilliseconds:0} ms), next attempt " +
                (retry.NextAttempt is null ? "none" : $"at line {retry.NextAttempt.Line}, {(gap is { } g ? $"{g.TotalMilliseconds:0} ms later" : "time unknown")}"));

            if (retry.Failure.EventId != RelayLog.FailedEventId || retry.Failure.Level != "warn")
            {
                problems.Add($"{who}: failure {k} is {retry.Failure.Level}[{retry.Failure.EventId}], expected warn[{RelayLog.FailedEventId}].");
            }

            if (reasonContains is not null && !retry.Reason.Contains(reasonContains, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{who}: failure {k} gives the reason '{retry.Reason}', which does not contain '{reasonContains}'.");
            }

            if (retry.DelayMilliseconds > cap.TotalMilliseconds)
            {
                problems.Add($"{who}: failure {k} announces a delay of {retry.DelayMilliseconds} ms, over min({maxDelay.TotalMilliseconds:0}, " +
                    $"{initialDelay.TotalMilliseconds:0} * 2^{k}) = {cap.TotalMilliseconds:0} ms.");
            }

            if (retry.NextAttempt is null)
            {
                if (k != retries.Count - 1)
                {
                    problems.Add($"{who}: failure {k} is followed by another failure with no attempt between them.");
                }

                continue;
            }

            if (gap is not { } measured)
            {
                problems.Add($"{who}: failure {k} or its next attempt has no timestamp: the log lines must start with HH:mm:ss.fff.");
                continue;
            }

            var low = TimeSpan.FromMilliseconds(retry.DelayMilliseconds) - earlySlack;
            var high = TimeSpan.FromMilliseconds(retry.DelayMilliseconds) + lateSlack;
            if (measured < low || measured > high)
            {
                problems.Add($"{who}: after failure {k} (\"retrying in {retry.DelayMilliseconds} ms\") the next attempt came {measured.TotalMilliseconds:0} ms later, " +
                    $"outside [{low.TotalMilliseconds:0}, {high.TotalMilliseconds:0}] ms.");
            }
        }

        // Every attempt after the first must come from a failure's retry.
        var retried = retries.Count(r => r.NextAttempt is not null);
        if (attempts.Count > 0 && retried < attempts.Count - 1)
        {
            problems.Add($"{who}: {attempts.Count} attempts but only {retried} logged failure(s) followed by an attempt.");
        }

        var delays = string.Join(", ", retries.Select(r => r.DelayMilliseconds.ToString(CultureInfo.InvariantCulture)));
        var gaps = string.Join(", ", retries.Select(r => r.Gap is { } g ? g.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) : "-"));
        var title = $"retries of {who}: {attempts.Count} attempts, {retries.Count} failures, announced delays [{delays}] ms, measured gaps [{gaps}] ms";
        return new OracleResult(title, problems, [], details.ToString());
    }

    /// <summary>min(<paramref name="maxDelay"/>, <paramref name="initialDelay"/> * 2^<paramref name="k"/>), without overflow.</summary>
    public static TimeSpan Cap(TimeSpan initialDelay, TimeSpan maxDelay, int k)
    {
        var cap = initialDelay;
        for (var i = 0; i < k && cap < maxDelay; i++)
        {
            cap += cap;
        }

        return cap < maxDelay ? cap : maxDelay;
    }
}
