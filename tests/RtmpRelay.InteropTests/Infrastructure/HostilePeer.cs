using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RtmpRelay.InteropTests.Infrastructure;

/// <summary>
/// A raw TCP client that behaves as an attacker would: it sends what it is told (a stalled handshake, garbage, a storm
/// of chunk streams ...) and measures how long the relay takes to close the connection.
/// </summary>
internal sealed class HostilePeer : IDisposable
{
    private readonly Socket _socket;
    private readonly Stopwatch _since = new();

    private HostilePeer(Socket socket) => _socket = socket;

    /// <summary>Connects from <paramref name="localAddress"/> (another 127.0.0.0/8 address is another client to the relay).</summary>
    public static async Task<HostilePeer> ConnectAsync(int port, IPAddress? localAddress = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(localAddress ?? IPAddress.Loopback, 0));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            var peer = new HostilePeer(socket);
            peer._since.Start();
            return peer;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Time since the connection opened.</summary>
    public TimeSpan Elapsed => _since.Elapsed;

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _socket.SendAsync(bytes, SocketFlags.None);
        }
        catch (SocketException)
        {
            // The relay closed first: what the caller measures next.
        }
    }

    /// <summary>A simple handshake (C0, C1, then C2 echoing S1), so what follows reaches the chunk stream.</summary>
    public async Task HandshakeAsync()
    {
        var c0c1 = new byte[1537];
        c0c1[0] = 3;
        Random.Shared.NextBytes(c0c1.AsSpan(9));
        await SendAsync(c0c1);
        var s0s1s2 = new byte[3073];
        var read = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (read < s0s1s2.Length)
        {
            var n = await _socket.ReceiveAsync(s0s1s2.AsMemory(read), SocketFlags.None, timeout.Token);
            if (n == 0)
            {
                throw new IOException("the relay closed during the handshake");
            }
            read += n;
        }
        await SendAsync(s0s1s2.AsMemory(1, 1536));
    }

    /// <summary>
    /// Starts reading and discarding what the relay sends, recording when it closes the connection. Call it once the
    /// peer has sent what it wants to (after <see cref="HandshakeAsync"/>, which reads too): from then on the close
    /// time is exact however late <see cref="WaitClosedAsync"/> is called.
    /// </summary>
    public void WatchForClose() => _closed ??= WatchAsync();

    private Task<TimeSpan?>? _closed;

    private async Task<TimeSpan?> WatchAsync()
    {
        var buffer = new byte[64 * 1024];
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await _socket.ReceiveAsync(buffer, SocketFlags.None, giveUp.Token) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            // Reset: closed too.
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        return Elapsed;
    }

    /// <summary>
    /// Waits until <paramref name="limit"/> after connecting for the relay to close the connection; returns the time
    /// from connecting to the close, or null if it was still open at <paramref name="limit"/>.
    /// </summary>
    public async Task<TimeSpan?> WaitClosedAsync(TimeSpan limit)
    {
        WatchForClose();
        var remaining = limit - Elapsed;
        var closed = _closed!;
        if (remaining > TimeSpan.Zero)
        {
            await Task.WhenAny(closed, Task.Delay(remaining));
        }
        return closed.IsCompletedSuccessfully && closed.Result is { } at && at <= limit ? at : null;
    }

    /// <summary>One RTMP message in a single fmt-0 chunk sequence of 128-byte chunks (the default chunk size).</summary>
    public static byte[] Message(int chunkStreamId, byte type, uint streamId, ReadOnlySpan<byte> payload, int? announcedLength = null)
    {
        using var output = new MemoryStream();
        Span<byte> header = stackalloc byte[12];
        header[0] = (byte)chunkStreamId;
        var length = announcedLength ?? payload.Length;
        header[4] = (byte)(length >> 16);
        header[5] = (byte)(length >> 8);
        header[6] = (byte)length;
        header[7] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], streamId);
        output.Write(header);
        for (var offset = 0; offset < payload.Length; offset += 128)
        {
            if (offset > 0)
            {
                output.WriteByte((byte)(0xC0 | chunkStreamId));
            }
            output.Write(payload[offset..Math.Min(payload.Length, offset + 128)]);
        }
        return output.ToArray();
    }

    public void Dispose() => _socket.Dispose();
}
