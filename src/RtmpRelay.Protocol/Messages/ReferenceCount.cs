namespace RtmpRelay.Protocol.Messages;

/// <summary>The reference counting of pooled, shared buffers (messages and their chunkings).</summary>
internal static class ReferenceCount
{
    public static void Add(ref int references, string owner)
    {
        if (Interlocked.Increment(ref references) <= 1)
        {
            throw new PoolMisuseException($"AddRef on a released {owner}.");
        }
    }

    /// <returns>True when this was the last reference: the caller returns the buffer to its pool.</returns>
    public static bool Release(ref int references, string owner)
    {
        var left = Interlocked.Decrement(ref references);
        if (left < 0)
        {
            throw new PoolMisuseException($"{owner} released more often than referenced.");
        }
        return left == 0;
    }
}
