using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Fuzz.Infrastructure;

/// <summary>
/// One connection to <see cref="FuzzRelay.Handler"/> over an in-memory duplex pipe pair (as the unit tests' harness
/// does): the peer writes its bytes, then closes its side; the handler must then end, within a bound.
/// </summary>
internal static class InMemoryPeer
{
    /// <summary>Generous: a handler normally ends within milliseconds of the peer's close.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>Runs one connection; returns what the relay sent.</summary>
    public static async Task<byte[]> RunAsync(FuzzRelay relay, IEnumerable<ReadOnlyMemory<byte>> writes)
    {
        var unbounded = new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false);
        var toServer = new Pipe(unbounded);
        var toClient = new Pipe(unbounded);
        var context = new DefaultConnectionContext("fuzz", new DuplexPipe(toServer.Reader, toClient.Writer), new DuplexPipe(toClient.Reader, toServer.Writer))
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 50000),
        };
        var handler = Task.Run(async () =>
        {
            try
            {
                await relay.Handler.OnConnectedAsync(context);
            }
            finally
            {
                // What Kestrel does when the handler returns: the transport is closed.
                await toServer.Reader.CompleteAsync();
                await toClient.Writer.CompleteAsync();
            }
        });
        var received = ReadAllAsync(toClient.Reader);
        foreach (var write in writes)
        {
            var result = await toServer.Writer.WriteAsync(write);
            if (result.IsCompleted)
            {
                break; // the relay closed the connection
            }
        }
        await toServer.Writer.CompleteAsync();
        await Bounded(handler, "the connection handler did not end after the peer closed");
        var output = await Bounded(received, "the relay's side of the connection was not closed");
        relay.Log.ThrowIfFailed();
        return output;
    }

    public static async Task Bounded(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Bound);
        }
        catch (TimeoutException ex)
        {
            throw new FuzzFailure($"{what} within {Bound.TotalSeconds} s", ex);
        }
    }

    public static async Task<T> Bounded<T>(Task<T> task, string what)
    {
        await Bounded((Task)task, what);
        return await task;
    }

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var output = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                output.Write(segment.Span);
            }
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                await reader.CompleteAsync();
                return output.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>
    /// What the relay sent after its handshake must be a well-formed chunk stream (it may stop mid-message when it
    /// closed), and every command in it must decode: the relay builds those itself.
    /// </summary>
    public static void CheckRelayChunks(ReadOnlySpan<byte> sent)
    {
        using var reader = new ChunkReader(new ChunkReaderLimits { MaxMessageLength = 16 << 20, MaxPendingBytes = 64 << 20 });
        var buffer = new ReadOnlySequence<byte>(sent.ToArray());
        try
        {
            while (reader.TryRead(ref buffer, out var message))
            {
                try
                {
                    if (message.Type is RtmpMessageType.CommandAmf0)
                    {
                        Protocol.Amf.Amf0Reader.ReadAll(message.Span);
                    }
                }
                finally
                {
                    message.Release();
                }
            }
        }
        catch (RtmpProtocolException ex)
        {
            throw new FuzzFailure($"the relay sent what does not parse: {ex.Message}", ex);
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
