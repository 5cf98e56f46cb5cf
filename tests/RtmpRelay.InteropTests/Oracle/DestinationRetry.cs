namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// A destination's failed attempt as the relay logged it ("[live/STREAM -> NAME] Failed: REASON; retrying in N ms"),
/// with the next "Connecting" entry of the same destination, when there is one.
/// </summary>
internal sealed record DestinationRetry(RelayLogEntry Failure, string Reason, long DelayMilliseconds, RelayLogEntry? NextAttempt)
{
    /// <summary>
    /// The time from the failure entry to the next attempt's entry, by their timestamps (a pair that straddles
    /// midnight counts across it); null without a next attempt or without timestamps.
    /// </summary>
    public TimeSpan? Gap
    {
        get
        {
            if (Failure.Time is not { } failed || NextAttempt?.Time is not { } next)
            {
                return null;
            }

            var gap = next - failed;
            return gap < TimeSpan.Zero ? gap + TimeSpan.FromDays(1) : gap;
        }
    }
}
