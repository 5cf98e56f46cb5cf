using RtmpRelay.Core;

namespace RtmpRelay.Tests.Core;

public class WriterSignalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Counts how often the writer wakes: it waits again each time, as a write loop does.</summary>
    private sealed class Writer
    {
        private readonly WriterSignal _signal;
        private int _wakeUps;

        public Writer(WriterSignal signal)
        {
            _signal = signal;
            Wait();
        }

        public int WakeUps => Volatile.Read(ref _wakeUps);

        private void Wait()
        {
            var waiting = _signal.WaitAsync();
            if (waiting.IsCompleted)
            {
                throw new InvalidOperationException("the signal was set before the writer waited");
            }
            // No scheduling context: the writer runs on the thread that sets the signal, as the relay's write loops do.
            waiting.ConfigureAwait(false).GetAwaiter().OnCompleted(() =>
            {
                Interlocked.Increment(ref _wakeUps);
                Wait();
            });
        }
    }

    /// <summary>Blocks until <paramref name="action"/> ran on a thread of its own: a deferral ends on the thread that began it, so no await inside one.</summary>
    private static void OnAnotherThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        Assert.True(thread.Join(Timeout));
    }

    [Fact]
    public void Set_WakesTheWaitingWriterAtOnce()
    {
        var signal = new WriterSignal();
        var writer = new Writer(signal);

        signal.Set();

        Assert.Equal(1, writer.WakeUps);
    }

    [Fact]
    public void Set_WhileDeferred_WakesTheWriterOnceWhenTheDeferralEnds()
    {
        var signal = new WriterSignal();
        var other = new WriterSignal();
        var writer = new Writer(signal);
        var otherWriter = new Writer(other);

        using (WriterSignal.Defer())
        {
            signal.Set(); // an audio frame
            signal.Set(); // and a video frame of the same read
            other.Set();
            Assert.Equal(0, writer.WakeUps);
            Assert.Equal(0, otherWriter.WakeUps);
        }

        Assert.Equal(1, writer.WakeUps);
        Assert.Equal(1, otherWriter.WakeUps);
        signal.Set(); // not deferred any more
        Assert.Equal(2, writer.WakeUps);
    }

    [Fact]
    public void Defer_Nested_TheOuterOneWakes()
    {
        var signal = new WriterSignal();
        var writer = new Writer(signal);

        using (WriterSignal.Defer())
        {
            using (WriterSignal.Defer())
            {
                signal.Set();
            }
            Assert.Equal(0, writer.WakeUps);
        }

        Assert.Equal(1, writer.WakeUps);
    }

    [Fact]
    public void Set_ByAnotherDeferringThreadWhileNotedHere_WakesWhenThisDeferralEnds()
    {
        var signal = new WriterSignal();
        var writer = new Writer(signal);

        using (WriterSignal.Defer())
        {
            signal.Set();
            // Another publisher's read loop, deferring too, finds it noted here: its message goes out when this one ends.
            OnAnotherThread(() =>
            {
                using (WriterSignal.Defer())
                {
                    signal.Set();
                }
            });
            Assert.Equal(0, writer.WakeUps);
        }

        Assert.Equal(1, writer.WakeUps);
    }

    [Fact]
    public void Set_ByAThreadNotDeferring_WakesAtOnce()
    {
        var signal = new WriterSignal();
        var writer = new Writer(signal);

        using (WriterSignal.Defer())
        {
            signal.Set();
            OnAnotherThread(signal.Set);
            Assert.Equal(1, writer.WakeUps);
        }

        // Woken again for what was noted here: the writer finds its queues empty and waits.
        Assert.Equal(2, writer.WakeUps);
    }
}
