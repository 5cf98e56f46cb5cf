using System.Collections.Concurrent;
using System.IO.Pipelines;
using RtmpRelay.Rtmpe;
using RtmpRelay.Transports.Rtmpe;
using Microsoft.Extensions.Logging;
using RtmpRelay.Core;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Handshake;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;

namespace RtmpRelay.Destinations;

/// <summary>
/// One connection to a destination, as an encoder would make it: handshake, connect, releaseStream, FCPublish,
/// createStream, publish; then the stream's media; at the end FCUnpublish and deleteStream.
/// </summary>
internal sealed class DestinationSession
{
    private readonly DestinationUrl _url;
    private readonly DestinationOptions _destination;
    private readonly LiveStream _stream;
    private readonly string _name;
    private readonly RelayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<double, TaskCompletionSource<List<object?>>> _calls = new();
    private readonly TaskCompletionSource<AmfObject> _publishStatus = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RtmpConnection? _connection;
    private double _nextTransaction = 1;

    public DestinationSession(DestinationUrl url, DestinationOptions destination, LiveStream stream, string name, RelayOptions options, TimeProvider time, ILogger logger)
    {
        _url = url;
        _destination = destination;
        _stream = stream;
        _name = name;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>The stream subscription in use (replaced when the destination answers createStream with an unexpected id).</summary>
    public DestinationSubscriber? Subscriber { get; private set; }

    /// <summary>Runs until the destination fails or the stream ends; returns why it closed, throws on failure.</summary>
    public async Task<string> RunAsync(DestinationSubscriber subscriber, CancellationToken cancellationToken)
    {
        Subscriber = subscriber;
        using var setup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        setup.CancelAfter(_options.Destinations.ConnectTimeout);
        DestinationTransport transport;
        try
        {
            transport = await DestinationTransport.ConnectAsync(_url, _destination, _stream.Key.ToString(), _name, _time, _logger, setup.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RtmpProtocolException($"connecting to {_url.Host}:{_url.Port} timed out");
        }
        await using var connected = transport;

        var handshake = new ClientHandshake(new HandshakeOptions { Rtmpe = BouncyCastleRtmpeCrypto.Shared }, encrypted: _url.UsesRtmpe);
        handshake.WriteC0C1(transport.Pipe.Output);
        await transport.Pipe.Output.FlushAsync(setup.Token);
        await HandshakeDriver.RunAsync(transport.Pipe, handshake.TryAdvance, _options.Destinations.ConnectTimeout, _time, cancellationToken);
        await using var rtmpe = handshake.IsEncrypted ? new EncryptedDuplexPipe(transport.Pipe, handshake.Decryptor!, handshake.Encryptor!) : null;
        _ = rtmpe?.RunAsync();
        var pipe = (IDuplexPipe?)rtmpe ?? transport.Pipe;

        var id = $"{_stream.Key}->{_name}";
        await using var connection = new RtmpConnection(pipe, id, _options, _time, _logger) { RequireTraffic = false };
        _connection = connection;
        var running = connection.RunAsync(OnMessage);
        try
        {
            var publishing = PublishAsync(connection, subscriber, setup.Token);
            if (await Task.WhenAny(publishing, running) == running && !publishing.IsCompleted)
            {
                // The destination hung up (or broke the protocol) before accepting the publish: say why now,
                // not when the connect timeout runs out.
                await setup.CancelAsync();
                await publishing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw new RtmpProtocolException($"{connection.CloseReason}, before accepting the publish");
            }
            await publishing;
        }
        catch (Exception ex) when (ex is OperationCanceledException or RtmpProtocolException)
        {
            var reason = ex is RtmpProtocolException ? ex.Message
                : cancellationToken.IsCancellationRequested ? "stopped" : $"no answer from the destination within {_options.Destinations.ConnectTimeout.TotalSeconds:0.#} s";
            connection.Abort(reason);
            await running;
            throw new RtmpProtocolException(connection.CloseReason);
        }
        using (cancellationToken.Register(() => connection.Close("relay shutting down")))
        {
            await running;
        }
        if (Subscriber.HasEnded)
        {
            return "the stream ended";
        }
        throw new RtmpProtocolException(connection.CloseReason);
    }

    private async Task PublishAsync(RtmpConnection connection, DestinationSubscriber subscriber, CancellationToken cancellationToken)
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
        var streamId = created.Count > 3 && created[3] is double number ? (uint)number : 1u;
        if (streamId != subscriber.StreamId)
        {
            // Media queued so far was chunked for the assumed id: start over on the next keyframe with the real one.
            _stream.Detach(subscriber);
            subscriber.Queue.Clear();
            subscriber = new DestinationSubscriber(streamId, _options.SendQueueBytes);
            Subscriber = subscriber;
            _stream.Attach(subscriber);
        }

        connection.SendCommand(streamId, "publish", 0, null, _url.StreamName, "live");
        using (cancellationToken.Register(() => _publishStatus.TrySetCanceled()))
        {
            var status = await _publishStatus.Task;
            var code = status.GetString("code");
            if (code != "NetStream.Publish.Start")
            {
                throw new RtmpProtocolException($"publish refused: {code} {status.GetString("description")}");
            }
        }
        DestinationLog.Publishing(_logger, _stream.Key.ToString(), _name, streamId);

        subscriber.Ended = () =>
        {
            connection.SendCommandTo(subscriber.Queue, 0, "FCUnpublish", 0, null, _url.StreamName);
            connection.SendCommandTo(subscriber.Queue, 0, "deleteStream", 0, null, (double)streamId);
            connection.Close("the stream ended");
        };
        connection.AttachMediaQueue(subscriber.Queue);
        if (subscriber.HasEnded)
        {
            subscriber.Ended();
        }
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

    private static void EnsureSuccess(List<object?> response, string call)
    {
        if (response[0] as string == "_result")
        {
            return;
        }
        var info = response.Count > 3 ? response[3] as AmfObject : null;
        throw new RtmpProtocolException($"{call} refused: {info?.GetString("code")} {info?.GetString("description")}".TrimEnd());
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
                DestinationLog.Status(_logger, _stream.Key.ToString(), _name, info.GetString("code"), info.GetString("description"));
                if (!_publishStatus.Task.IsCompleted)
                {
                    _publishStatus.TrySetResult(info);
                }
                else if (info.GetString("level") == "error")
                {
                    _connection.Close($"destination reported {info.GetString("code")}: {info.GetString("description")}");
                }
                break;
        }
    }
}
