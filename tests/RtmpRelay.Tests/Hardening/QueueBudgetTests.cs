using RtmpRelay.Core;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Hardening;

public class QueueBudgetTests
{
    private static ChunkedMessage Media(MediaKind kind, int size, uint timestamp = 0) =>
        ChunkedMessage.Create(6, RtmpMessageType.Video, timestamp, 1, new byte[size], 4096, kind);

    private static bool Offer(SendQueue queue, MediaKind kind, int size)
    {
        var message = Media(kind, size);
        try
        {
            return queue.TryEnqueue(message);
        }
        finally
        {
            message.Release();
        }
    }

    [Fact]
    public void Budget_SpentByOneQueue_AnotherNonEmptyQueueLosesMediaUntilItsNextKeyframe()
    {
        var budget = new QueueBudget(() => 10_000);
        var lagging = new SendQueue(1 << 20) { Budget = budget };
        var other = new SendQueue(1 << 20) { Budget = budget };

        Assert.True(Offer(lagging, MediaKind.KeyFrame, 9_000));
        Assert.True(Offer(other, MediaKind.KeyFrame, 500)); // an empty queue always takes one message
        Assert.False(Offer(other, MediaKind.Video, 1_000)); // the relay-wide budget is spent
        Assert.False(Offer(other, MediaKind.Video, 10)); // and the GOP is lost as a whole
        Assert.True(Offer(other, MediaKind.Header, 100)); // headers always go

        lagging.Clear(); // the lagging peer left: its bytes are given back
        Assert.Equal(other.QueuedBytes, budget.Used);
        Assert.True(Offer(other, MediaKind.KeyFrame, 1_000));
    }

    [Fact]
    public void Overflow_MoreGopsLostInARowThanAllowed_QueueSaysSo()
    {
        var queue = new SendQueue(10_000, maxLostGops: 2);
        Assert.True(Offer(queue, MediaKind.KeyFrame, 8_000));
        Assert.False(Offer(queue, MediaKind.Video, 4_000)); // GOP 1 lost
        Assert.False(Offer(queue, MediaKind.KeyFrame, 4_000)); // GOP 2
        Assert.False(queue.Overflowed);
        Assert.False(Offer(queue, MediaKind.KeyFrame, 4_000)); // GOP 3: one too many

        Assert.True(queue.Overflowed);
        Assert.Equal(3, queue.LostGopsInARow);
    }

    [Fact]
    public void Overflow_KeyframeAdmittedAgain_CountStartsOver()
    {
        var queue = new SendQueue(10_000, maxLostGops: 2);
        Assert.True(Offer(queue, MediaKind.KeyFrame, 8_000));
        Assert.False(Offer(queue, MediaKind.Video, 4_000));
        Assert.True(queue.TryDequeue(out var drained));
        drained.Release();

        Assert.True(Offer(queue, MediaKind.KeyFrame, 4_000));
        Assert.Equal(0, queue.LostGopsInARow);
        Assert.False(queue.Overflowed);
    }
}
