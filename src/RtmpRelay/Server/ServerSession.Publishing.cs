using RtmpRelay.Logging;
using RtmpRelay.Protocol.Messages;
using RtmpRelay.Streams;

namespace RtmpRelay.Server;

internal sealed partial class ServerSession
{
    private static readonly byte[] SetDataFramePrefix = [0x02, 0x00, 0x0D, .. "@setDataFrame"u8];

    private LiveStream? _publishing;
    private uint _publishStreamId;

    private void OnPublish(uint streamId, List<object?> arguments)
    {
        var name = arguments.Count > 1 ? arguments[1] as string : null;
        if (!TryGetStreamKey(name, out var key, out var problem))
        {
            RefusePublish(streamId, Shorten(name), "NetStream.Publish.BadName", problem);
            return;
        }
        if (!_application!.AllowPublish)
        {
            RefusePublish(streamId, key.ToString(), "NetStream.Publish.Denied", "publishing is not allowed in this application");
            return;
        }
        if (_publishing is not null || _player is not null)
        {
            RefusePublish(streamId, key.ToString(), "NetStream.Publish.BadConnection", "this connection already publishes or plays");
            return;
        }
        var outcome = _registry.TryPublish(key, this, _options.ChunkSize, _application.TakeOver, out var stream);
        switch (outcome)
        {
            case PublishOutcome.Refused:
                RefusePublish(streamId, key.ToString(), "NetStream.Publish.BadName", "the stream is already being published");
                return;
            case PublishOutcome.Started:
                SessionLog.Publishing(_logger, Id, key.ToString());
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
        _connection.SendUserControl(UserControlEventType.StreamBegin, streamId);
        _connection.SendStatus(streamId, "status", "NetStream.Publish.Start", $"{key.Name} is now published.");
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
        var grace = _application!.ReconnectGrace;
        SessionLog.Unpublished(_logger, Id, stream.Key.ToString(), stream.MessagesRelayed);
        if (_registry.PublisherLeft(stream, this, grace))
        {
            SessionLog.Bridging(_logger, Id, stream.Key.ToString(), grace.TotalSeconds);
        }
        _connection.SendStatus(_publishStreamId, "status", "NetStream.Unpublish.Success", $"{stream.Key.Name} is now unpublished.");
    }

    /// <summary>The registry key of a stream name: the name without its query (keys and tokens go there).</summary>
    private bool TryGetStreamKey(string? name, out StreamKey key, out string problem)
    {
        key = default;
        var bare = name?.Split('?')[0] ?? "";
        if (bare.Length == 0)
        {
            problem = "the stream name is empty";
            return false;
        }
        if (bare.Length > _options.Limits.MaxNameLength)
        {
            problem = $"the stream name is longer than {_options.Limits.MaxNameLength} characters";
            return false;
        }
        if (bare.Any(char.IsControl))
        {
            problem = "the stream name contains control characters";
            return false;
        }
        key = new StreamKey(_app!, bare);
        problem = "";
        return true;
    }
}
