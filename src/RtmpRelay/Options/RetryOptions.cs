namespace RtmpRelay.Options;

/// <summary>
/// The "Relay:Destinations:Retry" section. A failed destination waits a random time between 0 and
/// min(MaxDelay, InitialDelay x 2^(failures - 1)) before the next attempt (exponential backoff with full jitter, so
/// destinations that failed together do not retry together). A rejection by the platform (a bad key, a name in use)
/// waits MaxDelay at once: retrying it sooner only repeats the same answer.
/// </summary>
public sealed class RetryOptions
{
    /// <summary>Cap of the first wait; each consecutive failure doubles it. Default 1 s.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between two attempts, and the wait after a rejection. Default 30 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
