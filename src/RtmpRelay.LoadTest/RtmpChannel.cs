using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.LoadTest;

/// <summary>
/// One RTMP connection of the tool, either side: a socket, a fixed receive buffer parsed in place by
/// <see cref="ChunkReader"/>, and serialized sends. It answers protocol control itself (acknowledgements once the
/// peer's window is reached, ping responses) and hands everything else to the caller, one message at a time.
/// Steady-state receiving allocates nothing: pooled messages, a pooled async builder, one buffer per connection.
/// </summary>
internal sealed class RtmpChannel : IAsyncDisposable
{
    public const int CommandChunkStream = 3;
    private const int ReceiveBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly byte[] _receive = new byte[ReceiveBufferSize];
    private readonly ChunkReader _reader = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _scratch = new(512);
    private readonly ArrayBufferWriter<byte> _payload = new(512);
    private int _start;
    private int _end;
    private long _received;
    private long _lastAcknowledged;
    private uint _window;

    private RtmpChannel(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>Chunk size of what this side sends; 128 until <see cref="SendSetChunkSizeAsync"/>.</summary>
    public int OutgoingChunkSize { get; private set; } = 128;

    /// <summary>Bytes received so far (read from other threads).</summary>
    public long BytesReceived => Volatile.Read(ref _received);

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the bytes of the message last returned arrived.</summary>
    public long LastReceiveTicks { get; private set; }

    public static RtmpChannel FromAccepted(Socket socket)
    {
        socket.NoDelay = true;
        return new RtmpChannel(socket);
    }

    public static async Task<RtmpChannel> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new RtmpChannel(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Plays the client side of the handshake (ffmpeg's digest C1).</summary>
    public async Task ClientHandshakeAsync(CancellationToken cancellationToken)
    {
        var handshake = new ClientHandshake();
        var output = new ArrayBufferWriter<byte>(4096);
        handshake.WriteC0C1(output);
        await SendAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await RunHandshakeAsync(handshake.TryAdvance, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Plays the server side of the handshake (simple or digest, whatever the client speaks).</summary>
    public Task ServerHandshakeAsync(CancellationToken cancellationToken) =>
        RunHandshakeAsync(new ServerHandshake().TryAdvance, new ArrayBufferWriter<byte>(4096), cancellationToken);

    private delegate bool HandshakeStep(ref ReadOnlySequence<byte> input, IBufferWriter<byte> output);

    private async Task RunHandshakeAsync(HandshakeStep step, ArrayBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        while (true)
        {
            output.ResetWrittenCount();
            var input = new ReadOnlySequence<byte>(_receive, _start, _end - _start);
            var done = step(ref input, output);
            _start = _end - (int)input.Length;
            if (output.WrittenCount > 0)
            {
                await SendAsync(output.WrittenMemory, cancellationToken).ConfigureAwait(false);
            }
            if (done)
            {
                return;
            }
            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new IOException("the peer closed the connection during the handshake");
            }
        }
    }

    /// <summary>
    /// The next message that is not protocol control, or null when the peer closed the connection. The caller
    /// releases it. <see cref="LastReceiveTicks"/> tells when its last bytes arrived.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<RtmpMessage?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_end > _start)
            {
                var input = new ReadOnlySequence<byte>(_receive, _start, _end - _start);
                var complete = _reader.TryRead(ref input, out var message);
                _start = _end - (int)input.Length;
                if (complete)
                {
                    if (message!.Type > RtmpMessageType.SetPeerBandwidth)
                    {
                        return message;
                    }
                    await HandleControlAsync(message, cancellationToken).ConfigureAwait(false);
                    message.Release();
                    continue;
                }
            }
            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }
        }
    }

    private async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_start > 0)
        {
            // What is left is at most a partial chunk header: the reader consumes chunk data as it arrives.
            _receive.AsSpan(_start, _end - _start).CopyTo(_receive);
            _end -= _start;
            _start = 0;
        }
        var read = await _socket.ReceiveAsync(_receive.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return false;
        }
        LastReceiveTicks = Stopwatch.GetTimestamp();
        _end += read;
        var received = _received + read;
        Volatile.Write(ref _received, received);
        if (_window > 0 && received - _lastAcknowledged >= _window)
        {
            _lastAcknowledged = received;
            await SendControlAsync(static (w, s, v) => ControlMessages.WriteAcknowledgement(w, (uint)v, s), received, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    private ValueTask HandleControlAsync(RtmpMessage message, CancellationToken cancellationToken)
    {
        switch (message.Type)
        {
            case RtmpMessageType.WindowAcknowledgementSize:
                _window = ControlMessages.ReadUInt32(message);
                break;
            case RtmpMessageType.UserControl:
                var (type, value) = ControlMessages.ReadUserControl(message);
                if (type == UserControlEventType.PingRequest)
                {
                    return SendControlAsync(static (w, s, v) => ControlMessages.WriteUserControl(w, UserControlEventType.PingResponse, (uint)v, s), value, cancellationToken);
                }
                break;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends bytes that are already chunked; sends from several tasks never interleave.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendUnlockedAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendUnlockedAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Builds a control message with <paramref name="write"/> (given the chunk size and <paramref name="value"/>) and sends it.</summary>
    public async ValueTask SendControlAsync(Action<IBufferWriter<byte>, int, long> write, long value, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _scratch.ResetWrittenCount();
            write(_scratch, OutgoingChunkSize, value);
            await SendUnlockedAsync(_scratch.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Announces and from now on uses <paramref name="chunkSize"/> for what this side sends.</summary>
    public async Task SendSetChunkSizeAsync(int chunkSize, CancellationToken cancellationToken)
    {
        await SendControlAsync(static (w, s, v) => ControlMessages.WriteSetChunkSize(w, (int)v, s), chunkSize, cancellationToken).ConfigureAwait(false);
        OutgoingChunkSize = chunkSize;
    }

    /// <summary>Sends an AMF0 command (or, with <paramref name="type"/> DataAmf0, a data message): the values in order.</summary>
    public async Task SendAmfAsync(uint streamId, CancellationToken cancellationToken, RtmpMessageType type, params object?[] values)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _payload.ResetWrittenCount();
            Amf0Writer.WriteValues(_payload, values);
            _scratch.ResetWrittenCount();
            ChunkWriter.Write(_scratch, CommandChunkStream, type, 0, streamId, _payload.WrittenSpan, OutgoingChunkSize);
            await SendUnlockedAsync(_scratch.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends a command and waits for its _result (returned) or _error (thrown); other messages are skipped.</summary>
    public async Task<List<object?>> CallAsync(uint streamId, string name, double transaction, object?[] arguments, CancellationToken cancellationToken)
    {
        await SendAmfAsync(streamId, cancellationToken, RtmpMessageType.CommandAmf0, [name, transaction, .. arguments]).ConfigureAwait(false);
        var answer = await WaitForCommandAsync(
            values => values.Count >= 2 && values[0] is "_result" or "_error" && values[1] is double t && t == transaction,
            cancellationToken).ConfigureAwait(false);
        if (answer[0] is "_error")
        {
            var info = answer.Count > 3 ? answer[3] as AmfObject : null;
            throw new IOException($"{name} refused: {info?.GetString("code")} {info?.GetString("description")}");
        }
        return answer;
    }

    /// <summary>Reads until a command whose values satisfy <paramref name="match"/> arrives (setup only: decodes every command).</summary>
    public async Task<List<object?>> WaitForCommandAsync(Func<List<object?>, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            var message = await ReadAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new IOException("the peer closed the connection during setup");
            try
            {
                var values = DecodeCommand(message);
                if (values is not null && match(values))
                {
                    return values;
                }
            }
            finally
            {
                message.Release();
            }
        }
    }

    /// <summary>The AMF0 values of a command or data message (AMF3 commands carry AMF0 after one format byte); null for media.</summary>
    public static List<object?>? DecodeCommand(RtmpMessage message)
    {
        var payload = message.Span;
        switch (message.Type)
        {
            case RtmpMessageType.CommandAmf3 or RtmpMessageType.DataAmf3 when payload.Length > 0:
                payload = payload[1..];
                break;
            case RtmpMessageType.CommandAmf0 or RtmpMessageType.DataAmf0:
                break;
            default:
                return null;
        }
        return Amf0Reader.ReadAll(payload);
    }

    /// <summary>
    /// Closes the socket, which ends a read or send in progress. The chunk reader is not disposed here: a read loop on
    /// another thread may still be inside it; its pooled buffers are simply left to the garbage collector.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
