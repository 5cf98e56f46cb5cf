using RtmpRelay.Options;

namespace RtmpRelay.Destinations;

/// <summary>
/// Exponential backoff with full jitter: after the n-th consecutive failure the wait is uniform in
/// [0, min(MaxDelay, InitialDelay x 2^(n-1))]. A rejection waits MaxDelay: the platform gave an answer, and asking
/// again sooner only repeats it.
/// </summary>
internal static class RetryBackoff
{
    public static TimeSpan Cap(RetryOptions options, int consecutiveFailures)
    {
        var doublings = Math.Clamp(consecutiveFailures - 1, 0, 30);
        var cap = options.InitialDelay.Ticks * Math.Pow(2, doublings);
        return cap >= options.MaxDelay.Ticks ? options.MaxDelay : TimeSpan.FromTicks((long)cap);
    }

    public static TimeSpan Delay(RetryOptions options, DestinationFailureKind kind, int consecutiveFailures, Random random) =>
        kind == DestinationFailureKind.Rejected
            ? options.MaxDelay
            : TimeSpan.FromTicks((long)(Cap(options, consecutiveFailures).Ticks * random.NextDouble()));
}
