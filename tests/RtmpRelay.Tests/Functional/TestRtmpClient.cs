using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Tests.Functional;

/// <summary>
/// A small RTMP client on the protocol library, driving the relay over an in-memory pipe: handshake with
/// <see cref="ClientHandshake"/>, commands with <see cref="Amf0Writer"/> + <see cref="ChunkWriter"/>, and a receive
/// loop on <see cref="ChunkReader"/>. Every wait is bounded by <see cref="DefaultTimeout"/>.
/// </summary>
internal sealed class TestRtmpClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public const int CommandChunkStream = 3;
    public const int AudioChunkStream = 4;
    public const int VideoChunkStream = 6;
    public const int DataChunkStream = 5;

    private readonly IDuplexPipe _transport;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly ArrayBufferWriter<byte> _scratch = new();
    private readonly ArrayBufferWriter<byte> _payload = new();
    private readonly Channel<ReceivedMessage> _incoming = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly List<ReceivedMessage> _all = new();
    private readonly CancellationTokenSource _stopReceiving = new();
    private Task _receiving = Task.CompletedTask;
    private double _nextTransaction = 1;
    private bool _closed;

    public TestRtmpClient(string id, IDuplexPipe transport)
    {
        Id = id;
        _transport = transport;
    }

    public string Id { get; }

    /// <summary>Chunk size this client sends with.</summary>
    public int OutgoingChunkSize { get; private set; } = 128;

    /// <summary>Bytes written after the handshake (what the server's acknowledgements count).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Set when the server closed its side (the receive loop saw the end of the stream).</summary>
    public bool ServerClosed { get; private set; }

    /// <summary>Every message received so far, in order.</summary>
    public IReadOnlyList<ReceivedMessage> All
    {
        get
        {
            lock (_all)
            {
                return _all.ToArray();
            }
        }
    }

    // ---------------------------------------------------------------- handshake and receive loop

    /// <summary>C0+C1, S0+S1 -> C2, S2; then starts the receive loop.</summary>
    public async Task HandshakeAsync()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var handshake = new ClientHandshake();
        handshake.WriteC0C1(_transport.Output);
        await _transport.Output.FlushAsync(timeout.Token);
        while (true)
        {
            var result = await _transport.Input.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            var done = handshake.TryAdvance(ref buffer, _transport.Output);
            if (done)
            {
                _transport.Input.AdvanceTo(buffer.Start);
            }
            else
            {
                _transport.Input.AdvanceTo(buffer.Start, buffer.End);
            }
            await _transport.Output.FlushAsync(timeout.Token);
            if (done)
            {
                break;
            }
            if (result.IsCompleted)
            {
                throw new InvalidOperationException($"{Id}: the server closed during the handshake.");
            }
        }
        _receiving = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Stops reading from the server (a player that stalls): from now on nothing drains the server's output.</summary>
    public async Task StopReceivingAsync()
    {
        _stopReceiving.Cancel();
        await _receiving.WaitAsync(DefaultTimeout);
    }

    private async Task ReceiveLoopAsync()
    {
        using var reader = new ChunkReader();
        var input = _transport.Input;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_stopReceiving.Token);
                var buffer = result.Buffer;
                try
                {
                    while (reader.TryRead(ref buffer, out var message))
                    {
                        ReceivedMessage received;
                        try
                        {
                            received = new ReceivedMessage(message);
                        }
                        finally
                        {
                            message.Release();
                        }
                        lock (_all)
                        {
                            _all.Add(received);
                        }
                        _incoming.Writer.TryWrite(received);
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                if (result.IsCompleted || result.IsCanceled)
                {
                    ServerClosed = result.IsCompleted;
                    break;
                }
            }
            _incoming.Writer.TryComplete();
        }
        catch (OperationCanceledException) when (_stopReceiving.IsCancellationRequested)
        {
            _incoming.Writer.TryComplete(new InvalidOperationException($"{Id} stopped receiving."));
        }
        catch (Exception ex)
        {
            _incoming.Writer.TryComplete(ex);
        }
    }

    // ---------------------------------------------------------------- waiting for messages

    /// <summary>
    /// The next message (after those already taken by earlier waits) that matches; messages before it are skipped
    /// (they stay in <see cref="All"/>). Fails at once if the server closes, and after <see cref="DefaultTimeout"/>.
    /// </summary>
    public async Task<ReceivedMessage> NextAsync(Func<ReceivedMessage, bool> match, string description, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            while (true)
            {
                var message = await _incoming.Reader.ReadAsync(cts.Token);
                if (match(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{Id}: no {description} within {(timeout ?? DefaultTimeout).TotalSeconds} s. Received:\n  {string.Join("\n  ", All)}");
        }
        catch (ChannelClosedException ex)
        {
            throw new InvalidOperationException($"{Id}: connection closed while waiting for {description}. Received:\n  {string.Join("\n  ", All)}", ex.InnerException);
        }
    }

    /// <summary>The next message, whatever it is.</summary>
    public Task<ReceivedMessage> NextAsync(string description = "message") => NextAsync(_ => true, description);

    public Task<ReceivedMessage> NextCommandAsync(string name) => NextAsync(m => m.IsCommand && m.Name == name, $"command {name}");

    public Task<ReceivedMessage> NextStatusAsync(string code) => NextAsync(m => m.IsStatus(code), $"onStatus {code}");

    public Task<ReceivedMessage> NextResponseAsync(double transactionId) =>
        NextAsync(m => m.Name is "_result" or "_error" && m.TransactionId == transactionId, $"_result/_error #{transactionId}");

    public Task<ReceivedMessage> NextEventAsync(UserControlEventType type) => NextAsync(m => m.Event == type, $"user control {type}");

    /// <summary>Waits until the server has closed its side (and the receive loop has seen everything it sent).</summary>
    public async Task WaitClosedAsync()
    {
        try
        {
            while (await _incoming.Reader.WaitToReadAsync().AsTask().WaitAsync(DefaultTimeout))
            {
                _incoming.Reader.TryRead(out _);
            }
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Id}: the server did not close the connection within {DefaultTimeout.TotalSeconds} s.");
        }
        catch (Exception) when (_receiving.IsCompleted)
        {
        }
        Assert.True(ServerClosed, $"{Id}: the receive loop ended without the server closing.");
    }

    // ---------------------------------------------------------------- sending

    /// <summary>Writes what <paramref name="write"/> produces and flushes (bounded).</summary>
    public async Task SendAsync(Action<IBufferWriter<byte>> write)
    {
        await _sendGate.WaitAsync(DefaultTimeout);
        try
        {
            _scratch.ResetWrittenCount();
            write(_scratch);
            _transport.Output.Write(_scratch.WrittenSpan);
            BytesSent += _scratch.WrittenCount;
            using var timeout = new CancellationTokenSource(DefaultTimeout);
            await _transport.Output.FlushAsync(timeout.Token);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    public Task SendRawAsync(byte[] bytes) => SendAsync(w => w.Write(bytes));

    public Task SendMessageAsync(int chunkStreamId, RtmpMessageType type, uint timestamp, uint streamId, byte[] payload) =>
        SendAsync(w => ChunkWriter.Write(w, chunkStreamId, type, timestamp, streamId, payload, OutgoingChunkSize));

    public Task SendVideoAsync(uint streamId, uint timestamp, byte[] payload) =>
        SendMessageAsync(VideoChunkStream, RtmpMessageType.Video, timestamp, streamId, payload);

    public Task SendAudioAsync(uint streamId, uint timestamp, byte[] payload) =>
        SendMessageAsync(AudioChunkStream, RtmpMessageType.Audio, timestamp, streamId, payload);

    public async Task SetChunkSizeAsync(int chunkSize)
    {
        var current = OutgoingChunkSize;
        await SendAsync(w => ControlMessages.WriteSetChunkSize(w, chunkSize, current));
        OutgoingChunkSize = chunkSize;
    }

    public Task SendControlAsync(Action<IBufferWriter<byte>, int> write) => SendAsync(w => write(w, OutgoingChunkSize));

    /// <summary>Encodes AMF0 values (a command or data payload).</summary>
    public static byte[] Amf(params object?[] values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(buffer, value);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public Task SendCommandAsync(string name, double transactionId, uint streamId, params object?[] arguments) =>
        SendMessageAsync(CommandChunkStream, RtmpMessageType.CommandAmf0, 0, streamId, Amf([name, transactionId, .. arguments]));

    public Task SendDataAsync(uint streamId, uint timestamp, params object?[] values) =>
        SendMessageAsync(DataChunkStream, RtmpMessageType.DataAmf0, timestamp, streamId, Amf(values));

    /// <summary>Sends a PingRequest and waits for the matching PingResponse: everything sent before has been processed.</summary>
    public async Task PingAsync(uint value = 0x5A5A5A5A)
    {
        await SendControlAsync((w, size) => ControlMessages.WriteUserControl(w, UserControlEventType.PingRequest, value, size));
        await NextAsync(m => m.Event == UserControlEventType.PingResponse && m.EventValue == value, $"PingResponse {value}");
    }

    // ---------------------------------------------------------------- NetConnection / NetStream helpers

    public static AmfObject ConnectObject(string app) => new AmfObject()
        .Add("app", app)
        .Add("type", "nonprivate")
        .Add("flashVer", "FMLE/3.0 (compatible; TestRtmpClient)")
        .Add("tcUrl", $"rtmp://localhost/{app}")
        .Add("objectEncoding", 0.0);

    /// <summary>Sends connect and returns the _result or _error.</summary>
    public async Task<ReceivedMessage> ConnectAsync(string app = "live")
    {
        var transaction = _nextTransaction++;
        await SendCommandAsync("connect", transaction, 0, ConnectObject(app));
        return await NextResponseAsync(transaction);
    }

    public async Task ConnectOrFailAsync(string app = "live")
    {
        var response = await ConnectAsync(app);
        Assert.Equal("_result", response.Name);
        Assert.Equal("NetConnection.Connect.Success", response.Code);
    }

    public async Task<uint> CreateStreamAsync()
    {
        var transaction = _nextTransaction++;
        await SendCommandAsync("createStream", transaction, 0, (object?)null);
        var response = await NextResponseAsync(transaction);
        Assert.Equal("_result", response.Name);
        return (uint)(double)response.Values![3]!;
    }

    /// <summary>releaseStream, FCPublish, createStream, publish, as encoders do; returns the stream id and the onStatus answer.</summary>
    public async Task<(uint StreamId, ReceivedMessage Status)> PublishAsync(string name)
    {
        await SendCommandAsync("releaseStream", _nextTransaction++, 0, null, name);
        await SendCommandAsync("FCPublish", _nextTransaction++, 0, null, name);
        var streamId = await CreateStreamAsync();
        await SendCommandAsync("publish", 0, streamId, null, name, "live");
        var status = await NextAsync(m => m.Name == "onStatus" && m.StreamId == streamId && m.Code?.StartsWith("NetStream.Publish.") == true, "publish onStatus");
        return (streamId, status);
    }

    /// <summary>Publishes and asserts NetStream.Publish.Start.</summary>
    public async Task<uint> PublishOrFailAsync(string name)
    {
        var (streamId, status) = await PublishAsync(name);
        Assert.Equal("NetStream.Publish.Start", status.Code);
        return streamId;
    }

    /// <summary>createStream then play; the caller waits for what it expects.</summary>
    public async Task<uint> PlayAsync(string name)
    {
        var streamId = await CreateStreamAsync();
        await SendCommandAsync("play", 0, streamId, null, name, -2.0);
        return streamId;
    }

    /// <summary>
    /// Plays a live stream and returns once the relay has attached this player: Play.Start is sent before the attach,
    /// so a ping answered after it (the read loop handles one message at a time) marks the point where media flows.
    /// </summary>
    public async Task<uint> PlayAttachedAsync(string name)
    {
        var streamId = await PlayAsync(name);
        await NextStatusAsync("NetStream.Play.Start");
        await PingAsync();
        return streamId;
    }

    public async Task UnpublishAsync(string name, uint streamId)
    {
        await SendCommandAsync("FCUnpublish", _nextTransaction++, 0, null, name);
        await SendCommandAsync("deleteStream", _nextTransaction++, 0, null, (double)streamId);
    }

    /// <summary>Closes both directions from the client side (a peer that hangs up).</summary>
    public async Task CloseAsync()
    {
        if (_closed)
        {
            return;
        }
        _closed = true;
        await _transport.Output.CompleteAsync();
        _stopReceiving.Cancel();
        try
        {
            await _receiving.WaitAsync(DefaultTimeout);
        }
        catch (OperationCanceledException)
        {
        }
        await _transport.Input.CompleteAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _stopReceiving.Dispose();
    }
}
