using System.Buffers;
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

        var before = GC.GetAllocatedBytesForCurrentThread();
        var messages = 0;
        long bytes = 0;
        for (var g = 1; g < gops.Length; g++) // not gops[1..]: a range of an array is a copy, which would count here
        {
            var (m, b) = Relay(reader, stream, destinations, gops[g]);
            messages += m;
            bytes += b;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((gops.Length - 1) * FramesPerGop * 2, messages);        
        Assert.True(bytes > 80L * Destinations * 800_000, $"only {bytes} bytes reached the destinations");
        Assert.True(allocated == 0, $"{allocated} bytes allocated for {messages} relayed messages ({(double)allocated / messages:0.#} B per message)");
    }

    /// <summary>Set Chunk Size from the publisher, as every encoder sends first.</summary>
    private static byte[] ControlMessages(int chunkSize)
    {
        var output = new ArrayBufferWriter<byte>();
        ChunkWriter.Write(output, 2, RtmpMessageType.SetChunkSize, 0, 0, [(byte)(chunkSize >> 24), (byte)(chunkSize >> 16), (byte)(chunkSize >> 8), (byte)chunkSize], 128);
        return output.WrittenSpan.ToArray();
    }
}
