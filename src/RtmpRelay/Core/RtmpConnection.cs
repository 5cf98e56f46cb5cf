using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Core;

/// <summary>
/// The message layer both roles share, over any duplex pipe (TCP, TLS, RC4, an RTMPT tunnel): one read loop that
/// reassembles messages and answers protocol control itself (acknowledgements, pings, peer bandwidth), and one
/// write loop that drains the <see cref="SendQueue"/>. Everything above it sees whole messages.
/// </summary>
internal sealed partial class RtmpConnection : IAsyncDisposable
{
    /// <summary>Chunk streams the relay sends on.</summary>
    public const int CommandChunkStream = 3;
    public const int DataChunkStream = 5;
    public const int AudioChunkStream = 6;
    public const int VideoChunkStream = 7;

    private const int WriteBatchBytes = 64 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    private readonly IDuplexPipe _transport;
    private readonly RelayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ChunkReader _reader;
    private readonly CancellationTokenSource _readCts = new();
    private readonly CancellationTokenSource _writeCts;
    private readonly Lock _sendGate = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly ArrayBufferWriter<byte> _payloadScratch = new(256);
    private readonly WriterSignal _signal = new();
    private SendQueue? _mediaQueue;
    private volatile bool _readLoopDone;
    private volatile bool _disposed;
    private Func<RtmpMessage, ValueTask>? _handler;
    private string? _closeReason;
    private bool _protocolError;
    private long _bytesReceived;
    private long _lastAcknowledged;
    private uint _peerWindow;
    private uint _lastWindowSent;

    public RtmpConnection(IDuplexPipe transport, string id, RelayOptions options, TimeProvider time, ILogger logger)
    {
        _transport = transport;
        Id = id;
        _options = options;
        _time = time;
        _logger = logger;
        _reader = new ChunkReader(options.Limits.ToChunkReaderLimits());
        _writeCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        Queue = new SendQueue(options.SendQueueBytes, options.Limits.MaxDroppedGops);
        Queue.AttachWriter(_signal);
        AmfLimits = new AmfReaderLimits { MaxDepth = options.Limits.MaxAmfDepth };
    }

    public string Id { get; }
    public SendQueue Queue { get; }
    public AmfReaderLimits AmfLimits { get; }

    /// <summary>Chunk size of what this connection sends (set with <see cref="SendSetChunkSize"/>).</summary>
    public int OutgoingChunkSize { get; private set; } = 128;

    /// <summary>
    /// While true, a peer silent for longer than the idle timeout is disconnected. Players may be silent; an
    /// encoder that has not started yet, or stops sending, may not.
    /// </summary>
    public bool RequireTraffic { get; set; } = true;

    /// <summary>
    /// When set, a write the peer does not take within this time (its receive window stays full) ends the connection
    /// and <see cref="WriteStalled"/> says so. Default off. Set before <see cref="RunAsync"/>.
    /// </summary>
    public TimeSpan? WriteStallTimeout { get; init; }

    /// <summary>True when the connection ended because the peer accepted no bytes for <see cref="WriteStallTimeout"/>.</summary>
    public bool WriteStalled { get; private set; }

    public string CloseReason => _closeReason ?? "closed";

    /// <summary>Bytes handed to the transport so far.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    private long _bytesSent;
    public bool ClosedOnProtocolError => _protocolError;

    /// <summary>The Relay:Limits setting the peer went past, when that closed the connection (e.g. "MaxChunkStreams").</summary>
    public string? LimitExceeded { get; private set; }

    /// <summary>Runs the read and write loops until the peer leaves, a limit is hit or <see cref="Close"/> is called.</summary>
    /// <param name="handler">Called on the read loop for every message except protocol control; the message is released after it returns.</param>
    public Task RunAsync(Action<RtmpMessage> handler) => RunAsync(message =>
    {
        handler(message);
        return ValueTask.CompletedTask;
    });

    /// <param name="handler">
    /// Called on the read loop for every message except protocol control. While the task it returns runs (a publish
    /// waiting for its authorization callback), reading pauses; the message is released once it completes.
    /// </param>
    public async Task RunAsync(Func<RtmpMessage, ValueTask> handler)
    {
        _handler = handler;
        var writing = WriteLoopAsync();
        try
        {
            await ReadLoopAsync().ConfigureAwait(false);
        }
        finally
        {
            // Let what is already queued (a final onStatus, FCUnpublish ...) reach the peer, for a bounded time.
            _readLoopDone = true;
            Queue.Complete();
            _mediaQueue?.Complete();
            _writeCts.CancelAfter(DrainTimeout);
            await writing.ConfigureAwait(false);
            Queue.Clear();
            _mediaQueue?.Clear();
            _reader.Dispose();
        }
    }

    /// <summary>Stops reading and closes after the queued messages are written.</summary>
    /// <remarks>Safe from any thread at any time, also after the connection ended (a stream may end just then).</remarks>
    public void Close(string reason)
    {
        SetReason(reason);
        if (_disposed)
        {
            return;
        }
        try
        {
            _readCts.Cancel();
            _transport.Input.CancelPendingRead();
        }
        catch (ObjectDisposedException)
        {
            // Lost a race with the end of the connection: it is closed already.
        }
    }

    /// <summary>Closes at once, dropping what is queued.</summary>
    public void Abort(string reason)
    {
        Close(reason);
        try
        {
            _writeCts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void SetReason(string reason, bool protocolError = false)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is null)
        {
            _protocolError = protocolError;
        }
    }

    private async Task ReadLoopAsync()
    {
        using var idle = StartIdleWatch();
        var input = _transport.Input;
        try
        {
            while (true)
            {
                // No token: a token costs a registration per read; Close and the idle watch cancel the pending read instead.
                var result = await input.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled || _readCts.IsCancellationRequested)
                {
                    if (_idleReason is { } reason && !_readCts.IsCancellationRequested)
                    {
                        SetReason(reason, protocolError: true);
                    }
                    return;
                }
                NoteRead();
                var buffer = result.Buffer;
                var length = buffer.Length;
                // The writers this read's messages wake run once, after all of them: one write for what they got.
                var deferral = WriterSignal.Defer();
                try
                {
                    while (!_readCts.IsCancellationRequested && _reader.TryRead(ref buffer, out var message))
                    {
                        try
                        {
                            var handled = Dispatch(message);
                            if (!handled.IsCompletedSuccessfully)
                            {
                                // The await may resume on another thread: wake what is noted first.
                                deferral.Dispose();
                                deferral = default;
                                await handled.ConfigureAwait(false);
                                deferral = WriterSignal.Defer();
                            }
                        }
                        finally
                        {
                            message.Release();
                        }
                    }
                }
                finally
                {
                    deferral.Dispose();
                    _bytesReceived += length - buffer.Length;
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                AcknowledgeIfDue();
                if (result.IsCompleted)
                {
                    SetReason(_reader.IsMidMessage ? "peer closed the connection in the middle of a message" : "peer closed the connection");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (RtmpProtocolException ex)
        {
            LimitExceeded ??= ex.Limit;
            SetReason(ex.Message, protocolError: true);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException
                                       or Microsoft.AspNetCore.Connections.ConnectionResetException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            SetReason($"transport error: {ex.Message}");
        }
        finally
        {
            await input.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Cancelled when the connection starts closing, for work a message started (an authorization callback).</summary>
    public CancellationToken Closing => _readCts.Token;

    private ValueTask Dispatch(RtmpMessage message)
    {
        ConnectionLog.MessageReceived(_logger, Id, message.Type, message.Length, message.Timestamp, message.StreamId);
        switch (message.Type)
        {
            case RtmpMessageType.SetChunkSize:
                ConnectionLog.PeerChunkSize(_logger, Id, _reader.ChunkSize);
                break;
            case RtmpMessageType.Abort:
            case RtmpMessageType.Acknowledgement:
                break;
            case RtmpMessageType.WindowAcknowledgementSize:
                _peerWindow = ControlMessages.ReadUInt32(message);
                ConnectionLog.PeerWindow(_logger, Id, _peerWindow);
                break;
            case RtmpMessageType.SetPeerBandwidth:
                var window = ControlMessages.ReadUInt32(message);
                if (window != _lastWindowSent)
                {
                    SendWindowAcknowledgementSize(window);
                }
                break;
            case RtmpMessageType.UserControl:
                var (eventType, value) = ControlMessages.ReadUserControl(message);
                if (eventType != UserControlEventType.PingRequest)
                {
                    return _handler!(message);
                }
                SendPingResponse(value);
                break;
            case RtmpMessageType.Aggregate:
                DispatchAggregate(message);
                break;
            default:
                return _handler!(message);
        }
        return ValueTask.CompletedTask;
    }

    private void DispatchAggregate(RtmpMessage aggregate)
    {
        var parts = new AggregateReader(aggregate.Span, aggregate.Timestamp);
        while (parts.TryReadNext(out var type, out var timestamp, out var data))
        {
            var part = RtmpMessage.Copy(type, timestamp, aggregate.StreamId, data);
            try
            {
                // Parts of an aggregate are media: their handling never waits.
                var handled = _handler!(part);
                if (!handled.IsCompletedSuccessfully)
                {
                    handled.AsTask().GetAwaiter().GetResult();
                }
            }
            finally
            {
                part.Release();
            }
        }
    }

    private void AcknowledgeIfDue()
    {
        if (_peerWindow > 0 && _bytesReceived - _lastAcknowledged >= _peerWindow)
        {
            _lastAcknowledged = _bytesReceived;
            SendAcknowledgement((uint)_bytesReceived); // wraps at 4 GiB, as the sequence number does
        }
    }

    // Static writers: a captured local in Dispatch would cost a closure for every message, not just for a ping.
    private void SendPingResponse(uint value) =>
        SendControl(value, static (w, value, chunkSize) => ControlMessages.WriteUserControl(w, UserControlEventType.PingResponse, value, chunkSize));

    private void SendAcknowledgement(uint sequence) =>
        SendControl(sequence, static (w, sequence, chunkSize) => ControlMessages.WriteAcknowledgement(w, sequence, chunkSize));

    /// <summary>
    /// Adds a second queue the write loop drains after <see cref="Queue"/>: a destination's media, which is buffered
    /// from the moment the stream goes live and released only once the destination has accepted the publish.
    /// </summary>
    public void AttachMediaQueue(SendQueue media)
    {
        _mediaQueue = media;
        media.AttachWriter(_signal);
    }

    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        using var stall = WriteStallTimeout is not null
            ? _time.CreateTimer(static state => ((RtmpConnection)state!).OnWriteStalled(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan)
            : null;
        // Cancelling the writer wakes it: the wait itself takes no token, so it allocates nothing.
        using var wake = _writeCts.Token.UnsafeRegister(static signal => ((WriterSignal)signal!).Set(), _signal);
        try
        {
            await (DirectSocket is { } socket ? SendToSocketAsync(socket, stall) : WriteToPipeAsync(output, stall)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException or InvalidOperationException
                                       or Microsoft.AspNetCore.Connections.ConnectionResetException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            SetReason($"transport error while sending: {ex.Message}");
        }
        finally
        {
            // A writer that stops (peer gone, or too slow to drain) ends the connection.
            Close(CloseReason);
            try
            {
                // A stream-backed writer (an outbound connection) flushes what is left here, into a socket that may be gone.
                await output.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Drains the queues into the transport's pipe: many messages per flush, up to <see cref="WriteBatchBytes"/>.</summary>
    private async Task WriteToPipeAsync(PipeWriter output, ITimer? stall)
    {
        while (true)
        {
            var batched = 0;
            while (batched < WriteBatchBytes && TryDequeue(out var message))
            {
                output.Write(message.Bytes.Span);
                batched += message.Length;
                message.Release();
            }
            if (batched > 0)
            {
                Interlocked.Add(ref _bytesSent, batched);
                stall?.Change(WriteStallTimeout!.Value, Timeout.InfiniteTimeSpan);
                var flush = await output.FlushAsync(_writeCts.Token).ConfigureAwait(false);
                stall?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
                if (CheckTooSlow())
                {
                    return;
                }
                continue;
            }
            if (_readLoopDone)
            {
                return; // closing, and everything queued is written
            }
            await _signal.WaitAsync().ConfigureAwait(false);
            _writeCts.Token.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The next message to send: control and commands first, then the media queue.</summary>
    private bool TryDequeue(out ChunkedMessage message) =>
        Queue.TryDequeue(out message) || (_mediaQueue?.TryDequeue(out message) ?? false);

    /// <summary>After a write: true (and the connection aborted) when a queue lost more GOPs in a row than allowed.</summary>
    private bool CheckTooSlow()
    {
        if (Queue.Overflowed || _mediaQueue?.Overflowed == true)
        {
            OnTooSlow();
            return true;
        }
        return false;
    }

    private void OnTooSlow()
    {
        WriteStalled = true;
        var lost = Math.Max(Queue.LostGopsInARow, _mediaQueue?.LostGopsInARow ?? 0);
        Abort($"too slow: the peer lost {lost} GOPs in a row (Relay:Limits:MaxDroppedGops is {_options.Limits.MaxDroppedGops})");
    }

    private void OnWriteStalled()
    {
        WriteStalled = true;
        Abort($"write stalled: the peer accepted no bytes for {WriteStallTimeout!.Value.TotalSeconds:0.#} s");
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        DisposeDeadline();
        _readCts.Cancel();
        _writeCts.Cancel();
        _readCts.Dispose();
        _writeCts.Dispose();
        return ValueTask.CompletedTask;
    }
}
