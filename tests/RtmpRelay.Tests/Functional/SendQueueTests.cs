using RtmpRelay.Core;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

/// <summary>The per-peer send queue's drop policy: bounded, whole GOPs dropped, control and headers always kept.</summary>
public class SendQueueTests
{
    private const int MaxBytes = 10_000;

    private static ChunkedMessage Message(MediaKind kind, int payload = 2000, uint timestamp = 0) =>
        ChunkedMessage.Create(6, kind is MediaKind.Audio ? RtmpMessageType.Audio : RtmpMessageType.Video, timestamp, 1, new byte[payload], 4096, kind);

    private static bool Offer(SendQueue queue, MediaKind kind, int payload = 2000)
    {
        var message = Message(kind, payload);
        try
        {
            return queue.TryEnqueue(message);
        }
        finally
        {
            message.Release();
        }
    }

    private static List<MediaKind> Drain(SendQueue queue)
    {
        var kinds = new List<MediaKind>();
        while (queue.TryDequeue(out var message))
        {
            kinds.Add(message.Kind);
            message.Release();
        }
        return kinds;
    }

    [Fact]
    public void TryEnqueue_MediaBeyondTheBudget_DroppedAndQueueStaysBounded()
    {
        var queue = new SendQueue(MaxBytes);
        Assert.True(Offer(queue, MediaKind.KeyFrame));
        var admitted = 1;
        for (var i = 0; i < 100; i++)
        {
            admitted += Offer(queue, MediaKind.Video) ? 1 : 0;
            Assert.True(queue.QueuedBytes <= MaxBytes, $"{queue.QueuedBytes} bytes queued");
        }

        Assert.Equal(4, admitted); // 4 x ~2 KB fit in 10 KB, the fifth does not
        Assert.Equal(97, queue.DroppedMessages);
        Drain(queue);
    }

    [Fact]
    public void TryEnqueue_AfterADrop_WaitsForAKeyframeWithRoomToSpare()
    {
        var queue = new SendQueue(MaxBytes);
        for (var i = 0; i < 6; i++)
        {
            Offer(queue, MediaKind.Video);
        }
        Assert.False(Offer(queue, MediaKind.KeyFrame)); // the queue is over half full: no restart yet
        Drain(queue);

        Assert.False(Offer(queue, MediaKind.Video));     // mid-GOP: still dropped, the GOP is never split
        Assert.False(Offer(queue, MediaKind.Audio));
        Assert.True(Offer(queue, MediaKind.KeyFrame));   // restarts at a keyframe
        Assert.True(Offer(queue, MediaKind.Video));
        Assert.Equal([MediaKind.KeyFrame, MediaKind.Video], Drain(queue));
    }

    [Fact]
    public void TryEnqueue_ControlAndHeaders_NeverDropped()
    {
        var queue = new SendQueue(MaxBytes);
        for (var i = 0; i < 10; i++)
        {
            Offer(queue, MediaKind.Video);
        }

        Assert.True(Offer(queue, MediaKind.Header));
        Assert.True(Offer(queue, MediaKind.Control));
        Assert.True(Offer(queue, MediaKind.Header, 50_000));
        Assert.Contains(MediaKind.Control, Drain(queue));
    }

    [Fact]
    public void StartAtNextKeyframe_DropsUntilAKeyframe()
    {
        var queue = new SendQueue(MaxBytes);
        queue.StartAtNextKeyframe();

        Assert.True(Offer(queue, MediaKind.Header));
        Assert.False(Offer(queue, MediaKind.Video));
        Assert.False(Offer(queue, MediaKind.Other));
        Assert.True(Offer(queue, MediaKind.KeyFrame));
        Assert.True(Offer(queue, MediaKind.Audio));
        Assert.Equal([MediaKind.Header, MediaKind.KeyFrame, MediaKind.Audio], Drain(queue));
    }

    [Fact]
    public void Complete_ThenEnqueue_Refused()
    {
        var queue = new SendQueue(MaxBytes);
        Offer(queue, MediaKind.Control);
        queue.Complete();

        Assert.False(Offer(queue, MediaKind.Control));
        queue.Clear();
        Assert.True(queue.IsEmpty);
        Assert.Equal(0, queue.QueuedBytes);
    }
}
