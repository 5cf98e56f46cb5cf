using RtmpRelay.Authorization;
using RtmpRelay.Logging;
using RtmpRelay.Streams;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Server;

internal sealed partial class ServerSession
{
    private PlayerSubscription? _player;

    private ValueTask OnPlayAsync(uint streamId, List<object?> arguments)
    {
        if (!TryGetStreamKey(arguments, out var key, out var presentedKey, out var problem))
        {
            RefusePlay(streamId, Shorten(key.Name), "NetStream.Play.Failed", problem);
            return ValueTask.CompletedTask;
        }
        if (!_application!.AllowPlay)
        {
            RefusePlay(streamId, key.ToString(), "NetStream.Play.Failed", "playing is not allowed in this application");
            return ValueTask.CompletedTask;
        }
        if (_player is not null || _publishing is not null)
        {
            RefusePlay(streamId, key.ToString(), "NetStream.Play.Failed", "this connection already publishes or plays");
            return ValueTask.CompletedTask;
        }
        return AuthorizeThen("play", _snapshot.PlayPolicyOf(key.Application), streamId, key, presentedKey, Play);
    }

    private void Play(uint streamId, StreamKey key, AccessDecision decision)
    {
        if (!decision.Allowed || !TryRename(ref key, decision))
        {
            Deny(streamId, key, "NetStream.Play.Failed", decision.Allowed ? "the callback renamed the stream to an invalid name" : decision.Reason);
            return;
        }
        if (!_registry.TryGet(key, out var stream))
        {
            RefusePlay(streamId, key.ToString(), "NetStream.Play.StreamNotFound", "the stream is not live");
            return;
        }

        if (stream.PlayerCount >= _options.Limits.MaxPlayersPerStream)
        {
            RefuseTooManyPlayers(streamId, key);
            return;
        }

        // A player may stay silent for as long as it watches.
        _connection.RequireTraffic = false;
        _connection.SendUserControl(UserControlEventType.StreamBegin, streamId);
        _connection.SendStatus(streamId, "status", "NetStream.Play.Reset", $"Playing and resetting {key.Name}.");
        _connection.SendStatus(streamId, "status", "NetStream.Play.Start", $"Started playing {key.Name}.");
        _connection.SendData(streamId, "|RtmpSampleAccess", true, true);
        var player = new PlayerSubscription(_connection, stream, streamId);
        switch (stream.AttachPlayer(player, _options.Limits.MaxPlayersPerStream))
        {
            case AttachOutcome.Ended:
                RefusePlay(streamId, key.ToString(), "NetStream.Play.StreamNotFound", "the stream just ended");
                return;
            case AttachOutcome.Full: // another player came in since the check above
                RefuseTooManyPlayers(streamId, key);
                return;
        }
        _player = player;
        _connection.DisarmDeadline();
        SessionLog.Playing(_logger, Id, key.ToString(), decision.Identity);
    }

    private void RefuseTooManyPlayers(uint streamId, StreamKey key)
    {
        _refusals?.Refuse(_logger, _client.Address, RefusalReason.Players, Id,
            $"{key} has {_options.Limits.MaxPlayersPerStream} players (Relay:Limits:MaxPlayersPerStream)");
        RefusePlay(streamId, key.ToString(), "NetStream.Play.Failed", "the stream has as many players as it may");
        _connection.Close("play refused: too many players");
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
        AwaitPublishOrPlay();
        player.Stream.Detach(player);
        SessionLog.StoppedPlaying(_logger, Id, player.Stream.Key.ToString(), _connection.Queue.DroppedMessages);
    }
}
