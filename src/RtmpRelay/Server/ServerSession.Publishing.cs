using RtmpRelay.Authorization;
using RtmpRelay.Logging;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;

namespace RtmpRelay.Server;

internal sealed partial class ServerSession
{
    private static readonly byte[] SetDataFramePrefix = [0x02, 0x00, 0x0D, .. "@setDataFrame"u8];

    private LiveStream? _publishing;
    private uint _publishStreamId;

    private ValueTask OnPublishAsync(uint streamId, List<object?> arguments)
    {
        if (!TryGetStreamKey(arguments, out var key, out var presentedKey, out var problem))
        {
            RefusePublish(streamId, Shorten(key.Name), "NetStream.Publish.BadName", problem);
            return ValueTask.CompletedTask;
        }
        if (!_application!.AllowPublish)
        {
            RefusePublish(streamId, key.ToString(), "NetStream.Publish.Denied", "publishing is not allowed in this application");
            return ValueTask.CompletedTask;
        }
        if (_publishing is not null || _player is not null)
        {
            RefusePublish(streamId, key.ToString(), "NetStream.Publish.BadConnection", "this connection already publishes or plays");
            return ValueTask.CompletedTask;
        }
        return AuthorizeThen("publish", _snapshot.PublishPolicyOf(key.Application), streamId, key, presentedKey, Publish);
    }

    private void Publish(uint streamId, StreamKey key, AccessDecision decision)
    {
        if (!decision.Allowed || !TryRename(ref key, decision))
        {
            Deny(streamId, key, "NetStream.Publish.BadName", decision.Allowed ? "the callback renamed the stream to an invalid name" : decision.Reason);
            return;
        }
        var outcome = _registry.TryPublish(key, this, _options.ChunkSize, _application!.TakeOver, _options.Limits.MaxStreams, out var stream);
        switch (outcome)
        {
            case PublishOutcome.Refused:
                RefusePublish(streamId, key.ToString(), "NetStream.Publish.BadName", "the stream is already being published");
                return;
            case PublishOutcome.TooManyStreams:
                _refusals?.Refuse(_logger, _client.Address, RefusalReason.Streams, Id, $"{_options.Limits.MaxStreams} streams are live (Relay:Limits:MaxStreams)");
                RefusePublish(streamId, key.ToString(), "NetStream.Publish.Rejected", "the relay has as many streams as it may");
                _connection.Close("publish refused: too many streams");
                return;
            case PublishOutcome.Started:
                SessionLog.Publishing(_logger, Id, key.ToString(), decision.Identity);
                break;
            case PublishOutcome.Resumed:
                SessionLog.Continuing(_logger, Id, key.ToString());
                break;
            case PublishOutcome.TookOver:
                SessionLog.TookOver(_logger, Id, key.ToString());
                break;
        }
        _publishing = stream;
        _publishStreamId = streamId;
        _connection.ArmDeadline(_options.Limits.PublisherIdleTimeout,
            $"publisher sent no audio or video for {_options.Limits.PublisherIdleTimeout.TotalSeconds:0.#} s");
        _connection.SendUserControl(UserControlEventType.StreamBegin, streamId);
        _connection.SendStatus(streamId, "status", "NetStream.Publish.Start", $"{key.Name} is now published.");
    }

    /// <summary>
    /// Not authorized: the status says so in a few words (the reason is for the log), the address's failure is
    /// counted, and the connection closes.
    /// </summary>
    private void Deny(uint streamId, StreamKey key, string code, string reason)
    {
        var publish = code.StartsWith("NetStream.Publish", StringComparison.Ordinal);
        if (publish)
        {
            SessionLog.PublishRefused(_logger, Id, key.ToString(), $"not authorized: {reason}");
            _connection.SendStatus(streamId, "error", code, "Publish refused: not authorized.");
        }
        else
        {
            SessionLog.PlayRefused(_logger, Id, key.ToString(), $"not authorized: {reason}");
            _connection.SendStatus(streamId, "error", code, "Play failed: not authorized.");
        }
        _failures?.RecordFailure(_client.Address);
        _connection.Close($"{(publish ? "publish" : "play")} of {key} not authorized");
    }

    /// <summary>A callback's new name replaces the requested one, if it is a valid name.</summary>
    private bool TryRename(ref StreamKey key, AccessDecision decision)
    {
        if (decision.Rename is not { } rename)
        {
            return true;
        }
        if (StreamName.Problem(rename, _options.Limits.MaxNameLength) is not null)
        {
            return false;
        }
        key = new StreamKey(key.Application, rename);
        return true;
    }

    private void RefusePublish(uint streamId, string stream, string code, string reason)
    {
        SessionLog.PublishRefused(_logger, Id, stream, reason);
        _connection.SendStatus(streamId, "error", code, $"Publish refused: {reason}.");
    }

    private void OnPublishedMessage(RtmpMessage message)
    {
        if (_publishing is null || message.StreamId != _publishStreamId)
        {
            SessionLog.IgnoredMedia(_logger, Id, message.Type.ToString(), message.Length, message.StreamId);
            return;
        }
        if (message.Type is RtmpMessageType.DataAmf0 or RtmpMessageType.DataAmf3)
        {
            PublishData(message);
            return;
        }
        _connection.Progress();
        _publishing.Publish(message, this);
    }

    /// <summary>
    /// Data messages are relayed as AMF0 (type 18). "@setDataFrame" is an instruction to the server: what is
    /// relayed and cached is the frame it sets ("onMetaData", values).
    /// </summary>
    private void PublishData(RtmpMessage message)
    {
        var payload = message.Span;
        if (message.Type == RtmpMessageType.DataAmf3 && !payload.IsEmpty && payload[0] == 0)
        {
            payload = payload[1..];
        }
        if (payload.StartsWith(SetDataFramePrefix))
        {
            payload = payload[SetDataFramePrefix.Length..];
        }
        if (message.Type == RtmpMessageType.DataAmf0 && payload.Length == message.Length)
        {
            _publishing!.Publish(message, this);
            return;
        }
        var normalized = RtmpMessage.Copy(RtmpMessageType.DataAmf0, message.Timestamp, message.StreamId, payload);
        try
        {
            _publishing!.Publish(normalized, this);
        }
        finally
        {
            normalized.Release();
        }
    }

    private void StopPublishing()
    {
        var stream = _publishing;
        if (stream is null)
        {
            return;
        }
        _publishing = null;
        AwaitPublishOrPlay();
        var grace = _application!.ReconnectGrace;
        SessionLog.Unpublished(_logger, Id, stream.Key.ToString(), stream.MessagesRelayed);
        if (_registry.PublisherLeft(stream, this, grace))
        {
            SessionLog.Bridging(_logger, Id, stream.Key.ToString(), grace.TotalSeconds);
        }
        _connection.SendStatus(_publishStreamId, "status", "NetStream.Unpublish.Success", $"{stream.Key.Name} is now unpublished.");
    }

    /// <summary>
    /// The registry key of the stream name in a publish or play: the name without its query, where keys and tokens
    /// go. <paramref name="presentedKey"/> is the key from that query, else from the connect's tcUrl or app.
    /// </summary>
    private bool TryGetStreamKey(List<object?> arguments, out StreamKey key, out string? presentedKey, out string problem)
    {
        var (name, query) = StreamName.Split(arguments.Count > 1 ? arguments[1] as string ?? "" : "");
        key = new StreamKey(_app!, name);
        presentedKey = StreamName.KeyOf(query) ?? _connectKey;
        problem = StreamName.Problem(name, _options.Limits.MaxNameLength) ?? "";
        return problem.Length == 0;
    }
}
