using RtmpRelay.Protocol.Amf;
using RtmpRelay.Protocol.Chunks;
using RtmpRelay.Protocol.Flv;
using RtmpRelay.Protocol.Messages;

namespace RtmpRelay.Streams;

/// <summary>What an operator sees of a stream: bytes in, codecs, picture size and rate, players.</summary>
internal sealed record StreamFacts(long BytesIn, string? VideoCodec, string? AudioCodec, int? Width, int? Height, double? Fps, int Players);

internal sealed partial class LiveStream
{
    private long _bytesIn;
    private VideoTagInfo? _video;
    private AudioTagInfo? _audio;

    /// <summary>Read for the admin API and metrics, not on the media path: the metadata is parsed here, not when it arrives.</summary>
    public StreamFacts Facts()
    {
        RtmpMessage? metadata;
        long bytesIn;
        VideoTagInfo? video;
        AudioTagInfo? audio;
        int players;
        lock (_gate)
        {
            metadata = _metadata?.AddRef();
            bytesIn = _bytesIn;
            video = _video;
            audio = _audio;
            players = _subscribers.Count(s => !s.IsPublisherSide);
        }
        AmfObject? values = null;
        if (metadata is not null)
        {
            try
            {
                var decoded = Amf0Reader.ReadAll(metadata.Span, new AmfReaderLimits { MaxDepth = 8 });
                values = decoded.Count > 1 ? decoded[1] as AmfObject : null;
            }
            catch (Exception ex) when (ex is Protocol.RtmpProtocolException or ArgumentException)
            {
                // Metadata the relay cannot read is relayed all the same; only the facts are missing.
            }
            finally
            {
                metadata.Release();
            }
        }
        return new StreamFacts(bytesIn, video is { } v ? CodecNames.Of(v) : null, audio is { } a ? CodecNames.Of(a) : null,
            (int?)values?.GetNumber("width"), (int?)values?.GetNumber("height"), values?.GetNumber("framerate") ?? values?.GetNumber("fps"), players);
    }

    /// <summary>The codec of a stream is known from its sequence header, or its first frame (under the gate).</summary>
    private void NoteCodec(RtmpMessage message, MediaKind kind)
    {
        if (message.Type == RtmpMessageType.Video && (_video is null || kind == MediaKind.Header) && message.Length > 0)
        {
            _video = FlvTag.ReadVideo(message.Span);
        }
        else if (message.Type == RtmpMessageType.Audio && (_audio is null || kind == MediaKind.Header) && message.Length > 0)
        {
            _audio = FlvTag.ReadAudio(message.Span);
        }
    }
}
