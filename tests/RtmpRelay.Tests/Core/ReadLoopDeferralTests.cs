using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using RtmpRelay.Core;
using RtmpRelay.Options;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;
using RtmpRelay.Tests.Functional;

namespace RtmpRelay.Tests.Core;

/// <summary>A publisher's read loop wakes each destination's writer once per read, after all of the read's messages.</summary>
public class ReadLoopDeferralTests
{
    /// <summary>A destination whose writer drains its queue each time it wakes, counting wake-ups and the writes they make.</summary>
    private sealed class Destination : IStreamSubscriber
    {
        private readonly WriterSignal _signal = new();

        public Destination()
        {
            Queue.AttachWriter(_signal);
            _ = WriteLoopAsync();
        }

        public uint StreamId => 1;
        public bool IsPublisherSide => true;
        public SendQueue Queue { get; } = new(8 << 20);
        public List<int> Writes { get; } = [];

        public void OnStreamEnded()
        {
        }

        private async Task WriteLoopAsync()
        {
            while (true)
            {
                await _signal.WaitAsync().ConfigureAwait(false); // runs on the thread that sets the signal
                var messages = 0;
                while (Queue.TryDequeue(out var message))
                {
                    messages++;
                    message.Release();
                }
                if (messages > 0)
                {
                    Writes.Add(messages);
                }
            }
        }
    }

    [Fact]
    public async Task MessagesOfOneRead_ReachEachDestinationInOneWrite_AndOfTwoReadsInTwo()
    {
        var fromPeer = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var toPeer = new Pipe();
        await using var connection = new RtmpConnection(new DuplexPipe(fromPeer.Reader, toPeer.Writer), "publisher",
            new RelayOptions(), TimeProvider.System, NullLogger.Instance) { RequireTraffic = false };
        var stream = new LiveStream(new StreamKey("live", "deferral"), publisher: null, 4096, budget: new QueueBudget(() => long.MaxValue));
        var destinations = new[] { new Destination(), new Destination() };
        foreach (var destination in destinations)
        {
            stream.Attach(destination);
        }
        var running = connection.RunAsync(message => stream.Publish(message));

        // A keyframe with its audio, in one read; then two frames, one read each.
        await fromPeer.Writer.WriteAsync(Chunked((RtmpMessageType.Video, FlvSamples.KeyFrame(1, 3000)), (RtmpMessageType.Audio, FlvSamples.AacFrame(1))));
        await fromPeer.Writer.WriteAsync(Chunked((RtmpMessageType.Video, FlvSamples.InterFrame(2, 3000))));
        await fromPeer.Writer.WriteAsync(Chunked((RtmpMessageType.Audio, FlvSamples.AacFrame(2))));

        foreach (var destination in destinations)
        {
            Assert.Equal([2, 1, 1], destination.Writes);
        }
        connection.Close("done");
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static byte[] Chunked(params (RtmpMessageType Type, byte[] Payload)[] messages)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (type, payload) in messages)
        {
            var chunkStream = type == RtmpMessageType.Video ? RtmpConnection.VideoChunkStream : RtmpConnection.AudioChunkStream;
            ChunkWriter.Write(output, chunkStream, type, 40, 1, payload, 128);
        }
        return output.WrittenSpan.ToArray();
    }
}
