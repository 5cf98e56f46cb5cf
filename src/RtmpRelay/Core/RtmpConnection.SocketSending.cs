using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using RtmpRelay.Protocol.Chunks;

namespace RtmpRelay.Core;

internal sealed partial class RtmpConnection
{
    private const int MaxMessagesPerSend = 32;

    /// <summary>
    /// When set, the write loop sends straight to this socket instead of through the transport's pipe: from the shared
    /// chunked buffers, with a send that never waits, so a message costs one syscall and no copy, pipe or stream layer
    /// (the profile's largest user-space cost per destination). Only for a plain TCP transport, whose pipe writes the
    /// same bytes unchanged and holds nothing unflushed once the handshake is done. Set before <see cref="RunAsync"/>.
    /// </summary>
    public Socket? DirectSocket { get; init; }

    private async Task SendToSocketAsync(Socket socket, ITimer? stall)
    {
        // A full send buffer then answers WouldBlock at once, and only the rest waits (asynchronously, nginx-style).
        socket.Blocking = false;
        var held = new ChunkedMessage[MaxMessagesPerSend];
        while (true)
        {
            // Aborted: stop at once, as a cancelled flush would, instead of sending the backlog that still fits.
            _writeCts.Token.ThrowIfCancellationRequested();
            var count = 0;
            var total = 0;
            while (count < held.Length && total < WriteBatchBytes && TryDequeue(out var message))
            {
                held[count++] = message;
                total += message.Length;
            }
            if (count == 0)
            {
                if (_readLoopDone)
                {
                    return; // closing, and everything queued is written
                }
                await _signal.WaitAsync().ConfigureAwait(false);
                _writeCts.Token.ThrowIfCancellationRequested();
                continue;
            }
            try
            {
                if (count > 1 && total <= WriteBatchBytes)
                {
                    // Several small messages queued (a GOP's start, or a backlog): one send for all of them. Rented
                    // for this send only, so hundreds of destinations in real time (one message per send) hold none.
                    var gather = ArrayPool<byte>.Shared.Rent(total);
                    try
                    {
                        var offset = 0;
                        for (var i = 0; i < count; i++)
                        {
                            held[i].Bytes.Span.CopyTo(gather.AsSpan(offset));
                            offset += held[i].Length;
                        }
                        await SendAllAsync(socket, gather.AsMemory(0, total), stall).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(gather);
                    }
                }
                else
                {
                    for (var i = 0; i < count; i++)
                    {
                        await SendAllAsync(socket, held[i].Bytes, stall).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                for (var i = 0; i < count; i++)
                {
                    held[i].Release();
                    held[i] = null!;
                }
            }
            Interlocked.Add(ref _bytesSent, total);
            if (CheckTooSlow())
            {
                return;
            }
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/>: at once when the socket takes them, else the rest asynchronously.</summary>
    private ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, ITimer? stall)
    {
        var sent = socket.Send(bytes.Span, SocketFlags.None, out var error);
        if (error == SocketError.Success && sent == bytes.Length)
        {
            return ValueTask.CompletedTask;
        }
        if (error is not (SocketError.Success or SocketError.WouldBlock))
        {
            throw new SocketException((int)error);
        }
        return SendRestAsync(socket, bytes[sent..], stall);
    }

    // Pooled: a destination that keeps its window full would otherwise cost a state machine per wait.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendRestAsync(Socket socket, ReadOnlyMemory<byte> rest, ITimer? stall)
    {
        // The peer's receive window is full: this is where a stalled destination is caught.
        stall?.Change(WriteStallTimeout!.Value, Timeout.InfiniteTimeSpan);
        while (!rest.IsEmpty)
        {
            var sent = await socket.SendAsync(rest, SocketFlags.None, _writeCts.Token).ConfigureAwait(false);
            if (sent <= 0)
            {
                throw new IOException("the destination closed the connection");
            }
            rest = rest[sent..];
        }
        stall?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }
}
