using System.Collections.Concurrent;
using System.IO.Pipelines;
using RtmpRelay.Core;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Rtmpe;
using RtmpRelay.Streams;
using RtmpRelay.Transports.Rtmpe;

namespace RtmpRelay.Destinations;

/// <summary>
/// One attempt at a destination, as an encoder would make it: dial, handshake, connect, releaseStream, FCPublish,
/// createStream, publish; then the stream's media until its supervisor says goodbye (FCUnpublish, deleteStream,
/// close) or the attempt fails. Every failure leaves as a typed <see cref="DestinationFailureException"/>.
/// </summary>
internal sealed class DestinationSession
{
    private readonly DestinationUrl _url;
    private readonly DestinationSpec _destination;
    private readonly LiveStream _stream;
    private readonly RelayOptions _options;
    private readonly IDestinationDialer _dialer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<uint, DestinationSubscriber> _resubscribe;
    private readonly Action _onLive;
    private readonly ConcurrentDictionary<double, TaskCompletionSource<List<object?>>> _calls = new();
    private readonly TaskCompletionSource<AmfObject> _publishStatus = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private DestinationSubscriber _subscriber;
    private RtmpConnection? _connection;
    private double _nextTransaction = 1;
    private uint _remoteStreamId;
    private bool _live;
    private string? _goodbye;
    private AmfObject? _liveError;

    public DestinationSession(DestinationUrl url, DestinationSpec destination, LiveStream stream, RelayOptions options, IDestinationDialer dialer,
        TimeProvider time, ILogger logger, DestinationSubscriber subscriber, Func<uint, DestinationSubscriber> resubscribe, Action onLive)
    {
        _url = url;
        _destination = destination;
        _stream = stream;
        _options = options;
        _dialer = dialer;
        _time = time;
        _logger = logger;
        _subscriber = subscriber;
        _resubscribe = resubscribe;
        _onLive = onLive;
    }

    private string StreamKey => _stream.Key.ToString();

    /// <summary>Bytes written to the destination in this attempt.</summary>
    public long BytesSent => _connection?.BytesSent ?? 0;

    /// <summary>
    /// Ends the attempt cleanly: once live, the media already queued is sent, then FCUnpublish and deleteStream, then
    /// the connection closes. Before the publish is accepted the attempt is abandoned, or, unless
    /// <paramref name="abandonSetup"/>, carried on so that what is queued still goes out. Safe from any thread, more than once.
    /// </summary>
    public void Goodbye(string reason, bool abandonSetup)
    {
        lock (_gate)
        {
            if (_goodbye is not null)
            {
                return;
            }
            _goodbye = reason;
            if (_live)
            {
                SayGoodbye();
            }
            else if (abandonSetup)
            {
                _stop.Cancel();
            }
        }
    }

    /// <summary>Runs the attempt; returns the goodbye's reason when it ended cleanly, throws a typed failure otherwise.</summary>
    public async Task<string> RunAsync()
    {
        var timeout = _options.Destinations.ConnectTimeout;
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, _stop.Token);
        if (_url.UsesTls && _destination.AllowInvalidCertificate)
        {
            TlsLog.ValidationDisabled(_logger, StreamKey, _destination.Name);
        }
        DestinationTransport transport;
        try
        {
            transport = await _dialer.ConnectAsync(_url, _destination, setup.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return _goodbye!;
        }
        catch (OperationCanceledException)
        {
            throw Fail(DestinationFailureKind.TimedOut, $"connecting to {_url.Host}:{_url.Port} timed out after {timeout.TotalSeconds:0.#} s");
        }
        catch (RtmpProtocolException ex)
        {
            throw Fail(DestinationFailureKind.ProtocolError, ex.Message);
        }
        await using var connected = transport;

        var handshake = new ClientHandshake(new HandshakeOptions { Rtmpe = BouncyCastleRtmpeCrypto.Shared }, encrypted: _url.UsesRtmpe);
        try
        {
            handshake.WriteC0C1(transport.Pipe.Output);
            await transport.Pipe.Output.FlushAsync(setup.Token);
            await HandshakeDriver.RunAsync(transport.Pipe, handshake.TryAdvance, timeout, _time, setup.Token);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return _goodbye!;
        }
        catch (OperationCanceledException)
        {
            throw Fail(DestinationFailureKind.TimedOut, $"no RTMP handshake from {_url.Host}:{_url.Port} within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is RtmpProtocolException or IOException or InvalidOperationException)
        {
            throw Fail(DestinationFailureKind.Handshake, $"RTMP handshake with {_url.Host}:{_url.Port} failed: {ex.Message}");
        }
        await using var rtmpe = handshake.IsEncrypted ? new EncryptedDuplexPipe(transport.Pipe, handshake.Decryptor!, handshake.Encryptor!) : null;
        _ = rtmpe?.RunAsync();
        var pipe = (IDuplexPipe?)rtmpe ?? transport.Pipe;

        await using var connection = new RtmpConnection(pipe, $"{_stream.Key}->{_destination.Name}", _options, _time, _logger)
        {
            RequireTraffic = false,
            WriteStallTimeout = _options.Limits.WriteStallTimeout,
            // RTMPE encrypts in its pipe: only plain TCP may be written to directly.
            DirectSocket = rtmpe is null ? transport.PlainSocket : null,
        };
        _connection = connection;
        var running = connection.RunAsync(OnMessage);
        try
        {
            var publishing = PublishAsync(connection, setup.Token);
            if (await Task.WhenAny(publishing, running) == running && !publishing.IsCompleted)
            {
                // The destination hung up (or broke the protocol) before accepting the publish: say why now,
                // not when the connect timeout runs out.
                await setup.CancelAsync();
                await publishing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw connection.ClosedOnProtocolError
                    ? Fail(DestinationFailureKind.ProtocolError, $"{connection.CloseReason}, before accepting the publish")
                    : Fail(DestinationFailureKind.ClosedByPeer, $"{connection.CloseReason}, before accepting the publish");
            }
            await publishing;
        }
        catch (Exception ex) when (ex is OperationCanceledException or DestinationFailureException)
        {
            connection.Abort(_goodbye ?? ex.Message);
            await running;
            if (_stop.IsCancellationRequested && ex is OperationCanceledException)
            {
                return _goodbye!;
            }
            throw ex as DestinationFailureException
                ?? Fail(DestinationFailureKind.TimedOut, $"no answer from the destination within {timeout.TotalSeconds:0.#} s");
        }
        await running;
        if (_goodbye is { } reason)
        {
            return reason;
        }
        if (connection.WriteStalled)
        {
            throw Fail(DestinationFailureKind.WriteStalled, connection.CloseReason);
        }
        if (_liveError is { } error)
        {
            throw new DestinationFailureException(DestinationFailure.Rejected("the stream", error.GetString("code"), Redact(error.GetString("description"))));
        }
        throw Fail(connection.ClosedOnProtocolError ? DestinationFailureKind.ProtocolError : DestinationFailureKind.ClosedByPeer, connection.CloseReason);
    }

    private async Task PublishAsync(RtmpConnection connection, CancellationToken cancellationToken)
    {
        connection.SendSetChunkSize(_options.ChunkSize);
        var connect = new AmfObject()
            .Add("app", _url.App)
            .Add("type", "nonprivate")
            .Add("flashVer", "FMLE/3.0 (compatible; RtmpRelay)")
            .Add("tcUrl", _url.TcUrl);
        var connected = await CallAsync(0, "connect", [connect], cancellationToken);
        EnsureSuccess(connected, "connect");

        _ = CallAsync(0, "releaseStream", [null, _url.StreamName], CancellationToken.None);
        _ = CallAsync(0, "FCPublish", [null, _url.StreamName], CancellationToken.None);
        var created = await CallAsync(0, "createStream", [null], cancellationToken);
        EnsureSuccess(created, "createStream");
        _remoteStreamId = created.Count > 3 && created[3] is double number ? (uint)number : 1u;
        if (_remoteStreamId != _subscriber.StreamId)
        {
            // Media queued so far was chunked for the assumed id: start over on the next keyframe with the real one.
            _subscriber = _resubscribe(_remoteStreamId);
        }

        connection.SendCommand(_remoteStreamId, "publish", 0, null, _url.StreamName, "live");
        AmfObject status;
        using (cancellationToken.Register(() => _publishStatus.TrySetCanceled()))
        {
            status = await _publishStatus.Task;
        }
        var code = status.GetString("code");
        if (code != "NetStream.Publish.Start")
        {
            throw new DestinationFailureException(DestinationFailure.Rejected("publish", code, Redact(status.GetString("description"))));
        }
        DestinationLog.Publishing(_logger, StreamKey, _destination.Name, _remoteStreamId);
        lock (_gate)
        {
            _live = true;
            connection.AttachMediaQueue(_subscriber.Queue);
            if (_goodbye is not null)
            {
                SayGoodbye();
            }
        }
        _onLive();
    }

    /// <summary>Behind the media already queued: FCUnpublish and deleteStream, then close once they are written.</summary>
    private void SayGoodbye()
    {
        var connection = _connection!;
        connection.SendCommandTo(_subscriber.Queue, 0, "FCUnpublish", 0, null, _url.StreamName);
        connection.SendCommandTo(_subscriber.Queue, 0, "deleteStream", 0, null, (double)_remoteStreamId);
        connection.Close(_goodbye!);
    }

    private async Task<List<object?>> CallAsync(uint streamId, string name, object?[] arguments, CancellationToken cancellationToken)
    {
        var transaction = _nextTransaction++;
        var call = new TaskCompletionSource<List<object?>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[transaction] = call;
        _connection!.SendCommand(streamId, name, transaction, arguments);
        using (cancellationToken.Register(() => call.TrySetCanceled()))
        {
            return await call.Task;
        }
    }

    private void EnsureSuccess(List<object?> response, string call)
    {
        if (response[0] as string == "_result")
        {
            return;
        }
        var info = response.Count > 3 ? response[3] as AmfObject : null;
        throw new DestinationFailureException(DestinationFailure.Rejected(call, info?.GetString("code"), Redact(info?.GetString("description"))));
    }

    private static DestinationFailureException Fail(DestinationFailureKind kind, string detail) => new(new DestinationFailure(kind, detail));

    /// <summary>A platform may quote the stream name (the key) in its answer: it goes no further than here.</summary>
    private string? Redact(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var bare = _url.StreamName.Split('?')[0];
        foreach (var secret in new[] { _url.StreamName, bare })
        {
            if (secret.Length >= 4)
            {
                text = text.Replace(secret, "****", StringComparison.Ordinal);
            }
        }
        return text;
    }

    /// <summary>Runs on the read loop: answers to our calls and status from the destination.</summary>
    private void OnMessage(RtmpMessage message)
    {
        if (message.Type is not (RtmpMessageType.CommandAmf0 or RtmpMessageType.CommandAmf3))
        {
            return;
        }
        var payload = message.Type == RtmpMessageType.CommandAmf3 && message.Length > 0 ? message.Span[1..] : message.Span;
        var values = Amf0Reader.ReadAll(payload, _connection!.AmfLimits);
        if (values.Count < 2 || values[0] is not string name)
        {
            return;
        }
        switch (name)
        {
            case "_result" or "_error" when values[1] is double transaction:
                if (_calls.TryRemove(transaction, out var call))
                {
                    call.TrySetResult(values);
                }
                break;
            case "onStatus":
                var info = values.Count > 3 ? values[3] as AmfObject : null;
                if (info is null)
                {
                    return;
                }
                DestinationLog.Status(_logger, StreamKey, _destination.Name, info.GetString("code"), Redact(info.GetString("description")));
                if (!_publishStatus.Task.IsCompleted)
                {
                    _publishStatus.TrySetResult(info);
                }
                else if (info.GetString("level") == "error")
                {
                    _liveError = info;
                    _connection.Close($"destination reported {info.GetString("code")}: {Redact(info.GetString("description"))}");
                }
                break;
        }
    }
}
