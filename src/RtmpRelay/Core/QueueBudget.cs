namespace RtmpRelay.Core;

/// <summary>
/// The relay-wide budget for queued media (Relay:Limits:MaxQueuedBytes): every player's and destination's
/// <see cref="SendQueue"/> counts its bytes here, and past the limit media is refused the way a full queue refuses it,
/// so the peers furthest behind lose whole GOPs and the process's memory stays bounded however many peers lag.
/// </summary>
internal sealed class QueueBudget
{
    private readonly Func<long> _limit;
    private long _used;

    /// <param name="limit">Read on every admission, so a configuration reload applies at once.</param>
    public QueueBudget(Func<long> limit) => _limit = limit;

    /// <summary>No limit (tests and tools that do not configure one).</summary>
    public static QueueBudget Unlimited { get; } = new(static () => long.MaxValue);

    /// <summary>Bytes queued for all peers now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>True when <paramref name="bytes"/> more media would go past the limit.</summary>
    public bool IsFull(int bytes) => Interlocked.Read(ref _used) + bytes > _limit();

    public void Add(int bytes) => Interlocked.Add(ref _used, bytes);

    public void Remove(int bytes) => Interlocked.Add(ref _used, -bytes);
}
