using System.Buffers;
using System.IO.Pipelines;
using RtmpRelay.Core;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Performance;

/// <summary>
/// Alone: a gen 2 collection that tests beside it cause trims ArrayPool.Shared, and the rent that refills it then
/// allocates on this thread (seen once beside the socket tests, which allocate large strings).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HotPathAllocationCollection
{
    public const string Name = "Hot path allocation";
}

/// <summary>
/// The relay's hot path allocates nothing per relayed message once warm: the publisher's bytes parsed by the chunk
/// reader, the message fanned out (chunked once, queued by reference to every destination), and each destination's
/// writer copying it out and releasing it. Allocation is deterministic, so this is a test; timings are benchmarks.
/// </summary>
[Collection(HotPathAllocationCollection.Name)]
public class HotPathAllocationTests
{
    private const int ChunkSize = 4096;
    private const int Destinations = 4;
    private const int FramesPerGop = 50;

    private sealed class Destination : IStreamSubscriber
    {
        public uint StreamId => 1;
        public bool IsPublisherSide => true;
        public SendQueue Queue { get; } = new(8 * 1024 * 1024, maxLostGops: 5);
        public byte[] Transport { get; } = new byte[64 * 1024];

        public void OnStreamEnded()
        {
        }

        public long Drain()
        {
            long bytes = 0;
            while (Queue.TryDequeue(out var message))
            {
                message.Bytes.Span.CopyTo(Transport);
                bytes += message.Length;
                message.Release();
            }
            return bytes;
        }
    }

    /// <summary>A publisher's bytes: one GOP of a 4 Mbit/s stream (a 60 KB keyframe, 16 KB inter frames, AAC frames), chunked as an encoder would.</summary>
    private static byte[] PublisherGop(uint firstTimestamp)
    {
        var output = new ArrayBufferWriter<byte>();
        for (var i = 0; i < FramesPerGop; i++)
        {
            var timestamp = firstTimestamp + (uint)(i * 40);
            var video = i == 0 ? FlvSamples.KeyFrame((byte)i, 60_000) : FlvSamples.InterFrame((byte)i, 16_000);
            ChunkWriter.Write(output, RtmpConnection.VideoChunkStream, RtmpMessageType.Video, timestamp, 1, video, ChunkSize);
            ChunkWriter.Write(output, RtmpConnection.AudioChunkStream, RtmpMessageType.Audio, timestamp, 1, [0xAF, 0x01, .. new byte[370]], ChunkSize);
        }
        return output.WrittenSpan.ToArray();
    }

    private static (int Messages, long Bytes) Relay(ChunkReader reader, LiveStream stream, Destination[] destinations, byte[] publisherBytes)
    {
        var buffer = new ReadOnlySequence<byte>(publisherBytes);
        var messages = 0;
        long bytes = 0;
        while (reader.TryRead(ref buffer, out var message))
        {
            stream.Publish(message);
            message.Release();
            messages++;
            foreach (var destination in destinations)
            {
                bytes += destination.Drain();
            }
        }
        Assert.True(buffer.IsEmpty);
        return (messages, bytes);
    }

    [Fact]
    public void FanOut_ThousandsOfMessagesToFourDestinations_AllocatesNothingPerMessage()
    {
        using var reader = new ChunkReader();
        var control = new ReadOnlySequence<byte>(ControlMessages(ChunkSize));
        Assert.True(reader.TryRead(ref control, out var setChunkSize));
        setChunkSize.Release();
        var stream = new LiveStream(new StreamKey("live", "hot"), publisher: null, ChunkSize, budget: new QueueBudget(() => long.MaxValue));
        var destinations = Enumerable.Range(0, Destinations).Select(_ => new Destination()).ToArray();
        foreach (var destination in destinations)
        {
            stream.Attach(destination);
        }
        var gops = Enumerable.Range(0, 81).Select(g => PublisherGop((uint)(g * FramesPerGop * 40))).ToArray();

        // Warm: pools filled, queues grown, code jitted.
        Relay(reader, stream, destinations, gops[0]);

        // Up to three passes: see AssertNoneInOnePass.
        var passes = new List<long>();
        var messages = 0;
        long bytes = 0;
        while (passes.Count < 3 && !passes.Contains(0))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            messages = 0;
            bytes = 0;
            for (var g = 1; g < gops.Length; g++) // not gops[1..]: a range of an array is a copy, which would count here
            {
                var (m, b) = Relay(reader, stream, destinations, gops[g]);
                messages += m;
                bytes += b;
            }
            passes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal((gops.Length - 1) * FramesPerGop * 2, messages);
        Assert.True(bytes > 80L * Destinations * 800_000, $"only {bytes} bytes reached the destinations");
        AssertNoneInOnePass(passes, messages);
    }

    /// <summary>
    /// A steady allocation shows in every pass; a pool refilled once after a gen 2 collection (which trims
    /// ArrayPool.Shared; work other tests left running can cause one) shows in one pass only. So a pass at 0 B passes.
    /// </summary>
    private static void AssertNoneInOnePass(List<long> passes, int messages) =>
        Assert.True(passes.Contains(0), $"bytes allocated in each pass of {messages} relayed messages: {string.Join(", ", passes)} ({(double)passes.Min() / messages:0.#} B per message at least)");

    /// <summary>
    /// The same through a connection's read loop, as a publisher's bytes arrive: pipe reads of 32 KiB, chunk parsing
    /// (messages that span reads), dispatch (acknowledgements as the window fills, a ping answered now and then),
    /// fan-out. The pipe runs its reader inline, so the whole loop runs on this thread while the test writes.
    /// </summary>
    [Fact]
    public async Task ReadLoop_ThousandsOfMessagesFromAPublisher_AllocatesNothingPerMessage()
    {
        var fromPeer = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0, useSynchronizationContext: false));
        var toPeer = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        var options = new RtmpRelay.Options.RelayOptions { SendQueueBytes = 64 << 20 };
        await using var connection = new RtmpConnection(new DuplexPipe(fromPeer.Reader, toPeer.Writer), "hot", options,
            TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance) { RequireTraffic = false };
        var stream = new LiveStream(new StreamKey("live", "hot"), publisher: null, ChunkSize, budget: new QueueBudget(() => long.MaxValue));
        var destinations = Enumerable.Range(0, Destinations).Select(_ => new Destination()).ToArray();
        foreach (var destination in destinations)
        {
            stream.Attach(destination);
        }
        var messages = 0;
        var running = connection.RunAsync(message =>
        {
            stream.Publish(message);
            messages++;
        });
        var gops = Enumerable.Range(0, 41).Select(g => PublisherGop((uint)(g * FramesPerGop * 40))).ToArray();
        var ping = PingRequest();
        // Warm: the window set (the loop acknowledges every 500 kB, more than once a GOP), pools filled, queues grown.
        Feed(fromPeer.Writer, ControlMessages(ChunkSize), destinations);
        Feed(fromPeer.Writer, WindowAcknowledgementSize(500_000), destinations);
        Feed(fromPeer.Writer, gops[0], destinations);
        Feed(fromPeer.Writer, ping, destinations);
        DrainControl(toPeer.Reader);

        // Up to three passes: see AssertNoneInOnePass.
        var passes = new List<long>();
        long answered = 0;
        var relayed = 0;
        while (passes.Count < 3 && !passes.Contains(0))
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = messages;
            answered = 0;
            for (var g = 1; g < gops.Length; g++)
            {
                Feed(fromPeer.Writer, gops[g], destinations);
                if (g % 10 == 0)
                {
                    Feed(fromPeer.Writer, ping, destinations);
                }
                answered += DrainControl(toPeer.Reader);
            }
            passes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            relayed = messages - start;
        }

        connection.Close("done");
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((gops.Length - 1) * FramesPerGop * 2, relayed);
        Assert.True(answered >= 60 * 16, $"only {answered} bytes of acknowledgements and ping responses"); // 16 B each: 64 acknowledgements, 4 pings
        AssertNoneInOnePass(passes, relayed);
    }

    /// <summary>Writes <paramref name="bytes"/> in 32 KiB pieces, as a socket would deliver them; the read loop handles each before the write returns.</summary>
    private static void Feed(PipeWriter writer, byte[] bytes, Destination[] destinations)
    {
        for (var offset = 0; offset < bytes.Length; offset += 32 * 1024)
        {
            var flushed = writer.WriteAsync(bytes.AsMemory(offset, Math.Min(32 * 1024, bytes.Length - offset)));
            Assert.True(flushed.IsCompletedSuccessfully, "the read loop should run inline");
            foreach (var destination in destinations)
            {
                destination.Drain();
            }
        }
    }

    /// <summary>What the connection answered (acknowledgements, ping responses): read and dropped, so its pipe stays small.</summary>
    private static long DrainControl(PipeReader reader)
    {
        long bytes = 0;
        while (reader.TryRead(out var result))
        {
            bytes += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
        }
        return bytes;
    }

    private static byte[] WindowAcknowledgementSize(uint window)
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, 2, RtmpMessageType.WindowAcknowledgementSize, 0, 0, [(byte)(window >> 24), (byte)(window >> 16), (byte)(window >> 8), (byte)window], ChunkSize);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>User control event 6 (ping request) with a timestamp.</summary>
    private static byte[] PingRequest()
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, 2, RtmpMessageType.UserControl, 0, 0, [0, 6, 0, 0, 0x12, 0x34], ChunkSize);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Set Chunk Size from the publisher, as every encoder sends first.</summary>
    private static byte[] ControlMessages(int chunkSize)
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, 2, RtmpMessageType.SetChunkSize, 0, 0, [(byte)(chunkSize >> 24), (byte)(chunkSize >> 16), (byte)(chunkSize >> 8), (byte)chunkSize], 128);
        return output.WrittenSpan.ToArray();
    }
}
