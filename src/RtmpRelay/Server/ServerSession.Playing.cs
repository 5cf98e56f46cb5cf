using RtmpRelay.Logging;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Server;

internal sealed partial class ServerSession
{
    private PlayerSubscription? _player;

    private void OnPlay(uint streamId, List<object?> arguments)
    {
        var name = arguments.Count > 1 ? arguments[1] as string : null;
        if (!TryGetStreamKey(name, out var key, out var problem))
        {
            RefusePlay(streamId, Shorten(name), "NetStream.Play.Failed", problem);
            return;
        }
        if (!_application!.AllowPlay)
        {
            RefusePlay(streamId, key.ToString(), "NetStream.Play.Failed", "playing is not allowed in this application");
            return;
        }
        if (_player is not null || _publishing is not null)
        {
            RefusePlay(streamId, key.ToString(), "NetStream.Play.Failed", "this connection already publishes or plays");
            return;
        }
        if (!_registry.TryGet(key, out var stream))
        {
            RefusePlay(streamId, key.ToString(), "NetStream.Play.StreamNotFound", "the stream is not live");
            return;
        }

        // A player may stay silent for as long as it watches.
        _connection.RequireTraffic = false;
        _connection.SendUserControl(UserControlEventType.StreamBegin, streamId);
        _connection.SendStatus(streamId, "status", "NetStream.Play.Reset", $"Playing and resetting {key.Name}.");
        _connection.SendStatus(streamId, "status", "NetStream.Play.Start", $"Started playing {key.Name}.");
        _connection.SendData(streamId, "|RtmpSampleAccess", true, true);
        var player = new PlayerSubscription(_connection, stream, streamId);
        if (!stream.Attach(player))
        {
            RefusePlay(streamId, key.ToString(), "NetStream.Play.StreamNotFound", "the stream just ended");
            return;
        }
        _player = player;
        SessionLog.Playing(_logger, Id, key.ToString());
    }

    private void RefusePlay(uint streamId, string stream, string code, string reason)
    {
        SessionLog.PlayRefused(_logger, Id, stream, reason);
        _connection.SendStatus(streamId, "error", code, $"Play failed: {reason}.");
    }

    private void StopPlaying()
    {
        var player = _player;
        if (player is null)
        {
            return;
        }
        _player = null;
        player.Stream.Detach(player);
        SessionLog.StoppedPlaying(_logger, Id, player.Stream.Key.ToString(), _connection.Queue.DroppedMessages);
    }
}
