using Microsoft.Extensions.Logging;
using RtmpRelay.Authorization;
using RtmpRelay.Core;
using RtmpRelay.Logging;
using RtmpRelay.Options;
using RtmpRelay.Protocol;
using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;

namespace RtmpRelay.Server;

/// <summary>
/// The server side of one RTMP connection: NetConnection and NetStream commands from an encoder or a player.
/// Runs on the connection's read loop, one message at a time.
/// </summary>
internal sealed partial class ServerSession : IStreamPublisher
{
    private const int MaxStreamsPerConnection = 8;

    private readonly RtmpConnection _connection;
    private readonly StreamRegistry _registry;
    private readonly RelaySnapshot _snapshot;
    private readonly RelayOptions _options;
    private readonly ClientInfo _client;
    private readonly StreamAuthorizer _authorizer;
    private readonly AuthFailureLimiter? _failures;
    private readonly ILogger _logger;
    private readonly LimitRefusals? _refusals;
    private string? _app;
    private ApplicationOptions? _application;
    private string? _tcUrl; // a secret: its query may hold the key
    private string? _connectKey;
    private string? _encoder;
    private uint _lastStreamId;

    public ServerSession(RtmpConnection connection, StreamRegistry registry, RelaySnapshot snapshot, ClientInfo client,
        StreamAuthorizer authorizer, AuthFailureLimiter? failures, ILogger logger, LimitRefusals? refusals = null)
    {
        _refusals = refusals;
        _connection = connection;
        _registry = registry;
        _snapshot = snapshot;
        _options = snapshot.Options;
        _client = client;
        _authorizer = authorizer;
        _failures = failures;
        _logger = logger;
        AwaitPublishOrPlay();
    }

    /// <summary>A connection that neither publishes nor plays is closed after Relay:Limits:SessionStartTimeout.</summary>
    private void AwaitPublishOrPlay() => _connection.ArmDeadline(_options.Limits.SessionStartTimeout,
        $"no publish or play within {_options.Limits.SessionStartTimeout.TotalSeconds:0.#} s");

    public string Id => _connection.Id;

    public PublisherInfo Info => new(_client.Address?.ToString(), _client.Transport, _encoder);

    /// <summary>Another publisher took this one's stream over, or an operator kicked it.</summary>
    public void Disconnect(string reason) => _connection.Close(reason);

    /// <summary>Handles one message; the task completes at once except for a publish or play awaiting its callback.</summary>
    public ValueTask OnMessageAsync(RtmpMessage message)
    {
        switch (message.Type)
        {
            case RtmpMessageType.CommandAmf0:
                return OnCommand(message, message.Span);
            case RtmpMessageType.CommandAmf3:
                // AMF3 commands start with a format byte (0), then AMF0 values that may switch to AMF3.
                return OnCommand(message, message.Span.IsEmpty ? message.Span : message.Span[1..]);
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
            case RtmpMessageType.DataAmf0:
            case RtmpMessageType.DataAmf3:
                OnPublishedMessage(message);
                break;
            case RtmpMessageType.UserControl:
            case RtmpMessageType.SharedObjectAmf0:
            case RtmpMessageType.SharedObjectAmf3:
                ConnectionLog.Ignored(_logger, Id, (byte)message.Type, message.Length);
                break;
            default:
                throw new RtmpProtocolException($"Unknown message type {(byte)message.Type} ({message.Length} bytes).");
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The connection ended: whatever it published or played stops.</summary>
    public void OnClosed()
    {
        StopPublishing();
        StopPlaying();
    }

    private ValueTask OnCommand(RtmpMessage message, ReadOnlySpan<byte> payload)
    {
        var values = Amf0Reader.ReadAll(payload, _connection.AmfLimits);
        if (values.Count < 2 || values[0] is not string name || values[1] is not double transactionId)
        {
            throw new RtmpProtocolException("Command without a name and a transaction id.");
        }
        SessionLog.Command(_logger, Id, name, transactionId, message.StreamId);
        var arguments = values.GetRange(2, values.Count - 2);
        if (_app is null && name != "connect")
        {
            throw new RtmpProtocolException($"Command '{name}' before connect.");
        }
        switch (name)
        {
            case "connect": OnConnect(transactionId, arguments); break;
            case "createStream": OnCreateStream(transactionId); break;
            case "releaseStream": Respond(transactionId); break;
            case "FCPublish": OnFCPublish(transactionId, arguments); break;
            case "publish": return OnPublishAsync(message.StreamId, arguments);
            case "FCUnpublish": OnFCUnpublish(transactionId, message.StreamId); break;
            case "deleteStream": OnDeleteStream(arguments); break;
            case "closeStream": OnCloseStream(message.StreamId); break;
            case "play": return OnPlayAsync(message.StreamId, arguments);
            case "getStreamLength": Respond(transactionId, 0.0); break;
            case "FCSubscribe": OnFCSubscribe(transactionId, arguments); break;
            case "FCUnsubscribe": Respond(transactionId); break;
            case "receiveAudio" or "receiveVideo" or "pause" or "_checkbw" or "_result" or "_error" or "onBWDone" or "onStatus":
                break;
            default:
                SessionLog.UnknownCommand(_logger, Id, name);
                if (transactionId != 0)
                {
                    _connection.SendCommand(0, "_error", transactionId, null, Status("error", "NetConnection.Call.Failed", $"Method '{name}' not found."));
                }
                break;
        }
        return ValueTask.CompletedTask;
    }

    private void OnConnect(double transactionId, List<object?> arguments)
    {
        if (_app is not null)
        {
            throw new RtmpProtocolException("connect received twice.");
        }
        var command = arguments.Count > 0 ? arguments[0] as AmfObject : null;
        if (command is null)
        {
            throw new RtmpProtocolException("connect without a command object.");
        }
        // "app" may carry a query (live?key=...) and a trailing slash; the application is the part before them.
        var (app, appQuery) = StreamName.Split(command.GetString("app") ?? "");
        app = app.TrimEnd('/');
        _app = app;
        _tcUrl = command.GetString("tcUrl");
        _connectKey = StreamName.KeyOf(appQuery) ?? StreamName.KeyOf(_tcUrl is null ? null : StreamName.Split(_tcUrl).Query);
        if (app.Length == 0 || app.Length > _options.Limits.MaxNameLength || !_options.Applications.TryGetValue(app, out _application))
        {
            RejectConnect(transactionId, $"application '{Shorten(app)}' is not configured");
            return;
        }
        if (!_snapshot.PublishPolicyOf(app).AllowsAddress(_client.Address) && !_snapshot.PlayPolicyOf(app).AllowsAddress(_client.Address))
        {
            _failures?.RecordFailure(_client.Address);
            RejectConnect(transactionId, $"address {_client.Address} may neither publish nor play in '{app}'");
            return;
        }
        _encoder = command.GetString("flashVer") is { } flashVer ? Shorten(flashVer) : null;
        SessionLog.Connected(_logger, Id, app, StreamName.Redact(_tcUrl), _encoder);
        _connection.SendWindowAcknowledgementSize(_options.WindowAcknowledgementSize);
        _connection.SendControl(w => ControlMessages.WriteSetPeerBandwidth(w, _options.WindowAcknowledgementSize, 2, _connection.OutgoingChunkSize));
        _connection.SendSetChunkSize(_options.ChunkSize);
        var properties = new AmfObject().Add("fmsVer", "FMS/3,5,7,7009").Add("capabilities", 31.0).Add("mode", 1.0);
        var info = Status("status", "NetConnection.Connect.Success", "Connection succeeded.")
            .Add("objectEncoding", command.GetNumber("objectEncoding") ?? 0.0);
        _connection.SendCommand(0, "_result", transactionId, properties, info);
    }

    private void RejectConnect(double transactionId, string reason)
    {
        SessionLog.ConnectRejected(_logger, Id, reason);
        _connection.SendCommand(0, "_error", transactionId, null, Status("error", "NetConnection.Connect.Rejected", $"Connection rejected: {reason}."));
        _connection.Close($"connect rejected: {reason}");
    }

    private void OnCreateStream(double transactionId)
    {
        if (_lastStreamId >= MaxStreamsPerConnection)
        {
            _connection.SendCommand(0, "_error", transactionId, null, Status("error", "NetConnection.Call.Failed", "Too many streams on one connection."));
            return;
        }
        Respond(transactionId, (double)++_lastStreamId);
    }

    private void OnFCPublish(double transactionId, List<object?> arguments)
    {
        var name = arguments.Count > 1 ? arguments[1] as string : null;
        _connection.SendCommand(0, "onFCPublish", 0, null, Status("status", "NetStream.Publish.Start", $"FCPublish to stream {Shorten(StreamName.Split(name ?? "").Name)}."));
        Respond(transactionId);
    }

    /// <summary>Players of edge servers (rtmpdump for live streams) subscribe first; FMS answers onFCSubscribe.</summary>
    private void OnFCSubscribe(double transactionId, List<object?> arguments)
    {
        var name = arguments.Count > 1 ? arguments[1] as string : null;
        _connection.SendCommand(0, "onFCSubscribe", 0, null, Status("status", "NetStream.Play.Start", $"FCSubscribe to {Shorten(StreamName.Split(name ?? "").Name)}."));
        Respond(transactionId);
    }

    private void OnFCUnpublish(double transactionId, uint streamId)
    {
        if (_publishing is not null)
        {
            _connection.SendCommand(0, "onFCUnpublish", 0, null, Status("status", "NetStream.Unpublish.Success", $"{_publishing.Key.Name} is now unpublished."));
        }
        StopPublishing();
        Respond(transactionId);
    }

    private void OnDeleteStream(List<object?> arguments)
    {
        var streamId = arguments.Count > 1 && arguments[1] is double id ? (uint)id : 0;
        OnCloseStream(streamId);
    }

    private void OnCloseStream(uint streamId)
    {
        if (_publishing is not null && _publishStreamId == streamId)
        {
            StopPublishing();
        }
        if (_player is not null && _player.StreamId == streamId)
        {
            StopPlaying();
        }
    }

    /// <summary>
    /// Asks <paramref name="policy"/> whether the peer may <paramref name="action"/> <paramref name="key"/>, then goes on
    /// with <paramref name="then"/>. A callback is awaited while the connection's reading waits, so nothing else of this
    /// session runs meanwhile; a connection that closes meanwhile goes no further.
    /// </summary>
    private ValueTask AuthorizeThen(string action, AccessPolicy policy, uint streamId, StreamKey key, string? presentedKey,
        Action<uint, StreamKey, AccessDecision> then)
    {
        var request = new AccessRequest(action, key.Application, key.Name, presentedKey, _client.Address, _tcUrl, _client.Transport);
        var decision = _authorizer.AuthorizeAsync(policy, request, _connection.Closing);
        if (decision.IsCompletedSuccessfully)
        {
            then(streamId, key, decision.Result);
            return ValueTask.CompletedTask;
        }
        return ThenWhenAuthorizedAsync(streamId, key, decision, then);
    }

    private static async ValueTask ThenWhenAuthorizedAsync(uint streamId, StreamKey key, ValueTask<AccessDecision> decision,
        Action<uint, StreamKey, AccessDecision> then)
    {
        AccessDecision answer;
        try
        {
            answer = await decision;
        }
        catch (OperationCanceledException)
        {
            return; // the connection is closing
        }
        then(streamId, key, answer);
    }

    /// <summary>Answers a call with _result when the client asked for an answer (transaction id not 0).</summary>
    private void Respond(double transactionId, object? value = null)
    {
        if (transactionId != 0)
        {
            _connection.SendCommand(0, "_result", transactionId, null, value ?? AmfUndefined.Value);
        }
    }

    private static AmfObject Status(string level, string code, string description) =>
        new AmfObject().Add("level", level).Add("code", code).Add("description", description);

    /// <summary>Names from peers go into logs and replies: cut absurd ones short.</summary>
    private static string Shorten(string? name) => name is null ? "" : name.Length <= 64 ? name : name[..64] + "...";
}
