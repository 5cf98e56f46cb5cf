using RtmpRelay.Core;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Hardening;

/// <summary>Pooled messages fail loudly when returned twice or used after their return, never silently corrupt another message.</summary>
public class PoolMisuseTests
{
    [Fact]
    public void RtmpMessage_ReleasedTwice_Throws()
    {
        var message = RtmpMessage.Copy(RtmpMessageType.Video, 0, 1, [1, 2, 3]);
        message.Release();
        Assert.Throws<PoolMisuseException>(message.Release);
    }

    [Fact]
    public void RtmpMessage_ReadAfterRelease_Throws()
    {
        var message = RtmpMessage.Copy(RtmpMessageType.Video, 0, 1, [1, 2, 3]);
        message.Release();
        Assert.Throws<PoolMisuseException>(() => message.Span.Length);
        Assert.Throws<PoolMisuseException>(() => message.Payload);
        Assert.Throws<PoolMisuseException>(() => message.AddRef());
    }

    [Fact]
    public void ChunkedMessage_ReleasedTwiceOrReadAfterRelease_Throws()
    {
        var message = ChunkedMessage.Create(6, RtmpMessageType.Video, 0, 1, [1, 2, 3], 128);
        message.Release();
        Assert.Throws<PoolMisuseException>(() => message.Bytes);
        Assert.Throws<PoolMisuseException>(message.Release);
    }

    [Fact]
    public void SendQueue_QueuedMessageReturnedAndReusedMeanwhile_DequeueThrows()
    {
        var queue = new SendQueue(1 << 20);
        var message = ChunkedMessage.Create(6, RtmpMessageType.Video, 0, 1, [1, 2, 3], 128, MediaKind.KeyFrame);
        var generation = message.Generation;
        queue.TryEnqueue(message);
        message.Release();
        message.Release(); // a bug: the queue's reference released by someone else

        // The pool (shared with tests running beside this one, so the instance may be behind others) hands the instance
        // to a later message; the queue notices it is no longer the one it queued.
        var reused = new List<ChunkedMessage>();
        while (message.Generation == generation && reused.Count < 16_384)
        {
            reused.Add(ChunkedMessage.Create(6, RtmpMessageType.Audio, 0, 1, [9], 128));
        }
        Assert.NotEqual(generation, message.Generation);
        Assert.Throws<PoolMisuseException>(() => queue.TryDequeue(out _));
        reused.ForEach(m => m.Release());
    }
}
