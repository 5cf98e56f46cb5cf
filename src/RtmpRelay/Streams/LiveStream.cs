using RtmpRelay.Core;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Flv;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Streams;

/// <summary>
/// One published stream: the cache a late subscriber starts from (metadata, sequence headers) and the fan-out.
/// Each message is chunked once and the same pooled bytes are queued to every subscriber; only a subscriber on
/// another message stream id, or metadata in the other form, gets a chunking of its own.
/// A stream may outlive its publisher for a grace period (bridging): its subscribers stay and get nothing, and a
/// publisher that comes back continues it, with timestamps rebased to go on after the last ones sent (plus the time
/// the stream was away), sequence headers and metadata passed on only where they changed, and video resumed on a
/// keyframe.
/// </summary>
internal sealed partial class LiveStream
{
    // AMF0 string "@setDataFrame": marker, length 13, the name.
    private static readonly byte[] SetDataFramePrefix = [0x02, 0x00, 0x0D, .. "@setDataFrame"u8];
    private static readonly byte[] OnMetaDataPrefix = [0x02, 0x00, 0x0A, .. "onMetaData"u8];

    private readonly Lock _gate = new();
    private readonly int _chunkSize;
    private readonly List<Variant> _variants = new(4);
    private IStreamSubscriber[] _subscribers = [];
    private RtmpMessage? _metadata; // "onMetaData", values (the player form)
    private RtmpMessage? _videoHeader;
    private RtmpMessage? _audioHeader;
    private bool _hasVideo;
    private bool _mediaStarted;

    private readonly QueueBudget _budget;

    public LiveStream(StreamKey key, IStreamPublisher? publisher, int chunkSize, TimeProvider? time = null, QueueBudget? budget = null)
    {
        Key = key;
        _budget = budget ?? QueueBudget.Unlimited;
        _publisher = publisher;
        _chunkSize = chunkSize;
        _time = time ?? TimeProvider.System;
        _publisherSince = _time.GetUtcNow();
    }

    public StreamKey Key { get; }
    public bool IsEnded { get; private set; }
    public long MessagesRelayed { get; private set; }

    private readonly CancellationTokenSource _ended = new();

    /// <summary>Cancelled when the publisher stops.</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Takes one message from the publisher (called on its read loop) and queues it to every subscriber.</summary>
    /// <param name="from">The publisher sending it; a message from one that no longer publishes (taken over) is dropped.</param>
    public void Publish(RtmpMessage message, IStreamPublisher? from = null)
    {
        lock (_gate)
        {
            if (IsEnded || (from is not null && from != _publisher))
            {
                return;
            }
            var timestamp = Rebase(message.Timestamp);
            if (Classify(message, out var isMetadata) is not { } kind)
            {
                return; // held back after a reconnect: an unchanged header, or video before the first keyframe
            }
            MessagesRelayed++;
            _bytesIn += message.Length;
            NoteCodec(message, kind);
            var subscribers = _subscribers;
            if (subscribers.Length == 0)
            {
                return;
            }
            try
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber.Queue.TryEnqueue(GetVariant(message, timestamp, kind, subscriber.StreamId, isMetadata && subscriber.IsPublisherSide));
                }
            }
            finally
            {
                foreach (var variant in _variants)
                {
                    variant.Message.Release();
                }
                _variants.Clear();
            }
        }
    }

    /// <summary>Local players now.</summary>
    public int PlayerCount
    {
        get
        {
            var count = 0;
            foreach (var subscriber in _subscribers)
            {
                count += subscriber.IsPublisherSide ? 0 : 1;
            }
            return count;
        }
    }

    /// <summary>Adds a subscriber; it first gets the metadata and sequence headers, then media from the next keyframe.</summary>
    public bool Attach(IStreamSubscriber subscriber) => Attach(subscriber, int.MaxValue) == AttachOutcome.Attached;

    /// <summary>Adds a local player, unless the stream has <paramref name="maxPlayers"/> already.</summary>
    public AttachOutcome AttachPlayer(IStreamSubscriber player, int maxPlayers) => Attach(player, maxPlayers);

    private AttachOutcome Attach(IStreamSubscriber subscriber, int maxPlayers)
    {
        lock (_gate)
        {
            if (IsEnded)
            {
                return AttachOutcome.Ended;
            }
            if (!subscriber.IsPublisherSide && PlayerCount >= maxPlayers)
            {
                return AttachOutcome.Full;
            }
            subscriber.Queue.Budget = _budget;
            foreach (var header in (ReadOnlySpan<RtmpMessage?>)[_metadata, _videoHeader, _audioHeader])
            {
                if (header is not null)
                {
                    var chunked = Chunk(header, header.Timestamp, MediaKind.Header, subscriber.StreamId, header == _metadata && subscriber.IsPublisherSide);
                    subscriber.Queue.TryEnqueue(chunked);
                    chunked.Release();
                }
            }
            if (_mediaStarted)
            {
                subscriber.Queue.StartAtNextKeyframe();
            }
            _subscribers = [.. _subscribers, subscriber];
            return AttachOutcome.Attached;
        }
    }

    public void Detach(IStreamSubscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, s => s != subscriber);
        }
    }

    /// <summary>The publisher stopped: every subscriber is told, and the caches are released.</summary>
    public void End()
    {
        IStreamSubscriber[] subscribers;
        lock (_gate)
        {
            if (IsEnded)
            {
                return;
            }
            IsEnded = true;
            _publisher = null;
            _bridgeTimer?.Dispose();
            subscribers = _subscribers;
            _subscribers = [];
            _metadata?.Release();
            _videoHeader?.Release();
            _audioHeader?.Release();
            _metadata = _videoHeader = _audioHeader = null;
        }
        _ended.Cancel();
        foreach (var subscriber in subscribers)
        {
            subscriber.OnStreamEnded();
        }
    }

    /// <summary>The message's kind, with the caches updated; null when it is not to be relayed.</summary>
    private MediaKind? Classify(RtmpMessage message, out bool isMetadata)
    {
        isMetadata = false;
        switch (message.Type)
        {
            case RtmpMessageType.Video:
                _hasVideo = true;
                _mediaStarted = true;
                if (FlvTag.IsVideoSequenceHeader(message.Span))
                {
                    return Header(ref _videoHeader, ref _resumeVideoHeader, message);
                }
                if (FlvTag.IsVideoKeyframe(message.Span))
                {
                    _resumeAtKeyframe = false;
                    return MediaKind.KeyFrame;
                }
                return _resumeAtKeyframe ? null : MediaKind.Video;
            case RtmpMessageType.Audio:
                _mediaStarted = true;
                if (FlvTag.IsAudioSequenceHeader(message.Span))
                {
                    return Header(ref _audioHeader, ref _resumeAudioHeader, message);
                }
                return _hasVideo ? MediaKind.Audio : MediaKind.KeyFrame;
            default:
                if (message.Span.StartsWith(OnMetaDataPrefix))
                {
                    isMetadata = true;
                    return Header(ref _metadata, ref _resumeMetadata, message);
                }
                return MediaKind.Other;
        }
    }

    /// <summary>A header replaces the cached one; the first after a reconnect is relayed only if it changed.</summary>
    private static MediaKind? Header(ref RtmpMessage? cached, ref bool checkUnchanged, RtmpMessage message)
    {
        var unchanged = checkUnchanged && cached is not null && cached.Span.SequenceEqual(message.Span);
        checkUnchanged = false;
        if (unchanged)
        {
            return null;
        }
        Replace(ref cached, message);
        return MediaKind.Header;
    }

    private static void Replace(ref RtmpMessage? cached, RtmpMessage message)
    {
        cached?.Release();
        cached = message.AddRef();
    }

    private ChunkedMessage GetVariant(RtmpMessage message, uint timestamp, MediaKind kind, uint streamId, bool setDataFrame)
    {
        foreach (var variant in _variants)
        {
            if (variant.StreamId == streamId && variant.SetDataFrame == setDataFrame)
            {
                return variant.Message;
            }
        }
        var chunked = Chunk(message, timestamp, kind, streamId, setDataFrame);
        _variants.Add(new Variant(streamId, setDataFrame, chunked));
        return chunked;
    }

    private ChunkedMessage Chunk(RtmpMessage message, uint timestamp, MediaKind kind, uint streamId, bool setDataFrame)
    {
        var chunkStream = message.Type switch
        {
            RtmpMessageType.Audio => RtmpConnection.AudioChunkStream,
            RtmpMessageType.Video => RtmpConnection.VideoChunkStream,
            _ => RtmpConnection.DataChunkStream,
        };
        if (!setDataFrame)
        {
            return ChunkedMessage.Create(chunkStream, message.Type, timestamp, streamId, message.Span, _chunkSize, kind);
        }
        // Metadata to a server is sent as an encoder sends it: "@setDataFrame", "onMetaData", values.
        Span<byte> payload = message.Length + SetDataFramePrefix.Length <= 4096 ? stackalloc byte[message.Length + SetDataFramePrefix.Length] : new byte[message.Length + SetDataFramePrefix.Length];
        SetDataFramePrefix.CopyTo(payload);
        message.Span.CopyTo(payload[SetDataFramePrefix.Length..]);
        return ChunkedMessage.Create(chunkStream, message.Type, timestamp, streamId, payload, _chunkSize, kind);
    }

    private readonly record struct Variant(uint StreamId, bool SetDataFrame, ChunkedMessage Message);
}
