using System.Buffers.Binary;
using RtmpRelay.Protocol.Messages;
using ProtocolFlvTag = RtmpRelay.Protocol.Flv.FlvTag;

namespace RtmpRelay.LoadTest;

/// <summary>
/// An FLV file read whole into memory and split into tags, shared read-only by every publisher.
/// </summary>
/// <remarks>
/// <code>
/// header: "FLV" | version 1 | flags | header size BE32 (9)        then PreviousTagSize0 BE32
/// tag:    type (8 audio, 9 video, 18 script) | data size BE24 | timestamp BE24 | timestamp high 8 | stream id BE24
///         | data | PreviousTagSize BE32
/// </code>
/// </remarks>
internal sealed class FlvFile
{
    private static readonly byte[] OnMetaData = [0x02, 0x00, 0x0A, .. "onMetaData"u8];

    private FlvFile(string path, byte[] bytes, List<ReplayTag> headers, List<ReplayTag> media)
    {
        Path = path;
        Bytes = bytes;
        Headers = headers;
        Media = media;
        if (media.Count == 0)
        {
            throw new InvalidDataException($"{path} holds no audio or video tags.");
        }
        var first = media[0].Timestamp;
        var last = media[^1].Timestamp;
        var videoTimes = media.Where(t => t.Type == RtmpMessageType.Video).Select(t => t.Timestamp).ToArray();
        // One loop lasts the file's span plus one frame interval, so the next loop's first frame is not a duplicate time.
        var frame = videoTimes.Length > 1 ? (videoTimes[^1] - videoTimes[0]) / (uint)(videoTimes.Length - 1) : 40u;
        LoopDuration = last - first + Math.Max(1u, frame);
        FirstTimestamp = first;
        MediaBytes = media.Sum(t => (long)t.Payload.Length);
    }

    public string Path { get; }

    /// <summary>The whole file; tag payloads are slices of it.</summary>
    public byte[] Bytes { get; }

    /// <summary>onMetaData and the audio and video sequence headers, in file order.</summary>
    public IReadOnlyList<ReplayTag> Headers { get; }

    /// <summary>Every other audio, video and data tag, in file order.</summary>
    public IReadOnlyList<ReplayTag> Media { get; }

    /// <summary>Timestamp of the first media tag, the replay's zero.</summary>
    public uint FirstTimestamp { get; }

    /// <summary>How long one pass over <see cref="Media"/> lasts, in ms.</summary>
    public uint LoopDuration { get; }

    /// <summary>Payload bytes of one pass over <see cref="Media"/>.</summary>
    public long MediaBytes { get; }

    /// <summary>Average payload bit rate of the media, in bits per second.</summary>
    public double BitRate => MediaBytes * 8.0 * 1000 / LoopDuration;

    public static FlvFile Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 13 || bytes[0] != 'F' || bytes[1] != 'L' || bytes[2] != 'V')
        {
            throw new InvalidDataException($"{path} is not an FLV file.");
        }
        var offset = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)) + 4; // header, PreviousTagSize0
        var headers = new List<ReplayTag>();
        var media = new List<ReplayTag>();
        while (offset + 11 <= bytes.Length)
        {
            var type = bytes[offset] & 0x1F;
            var size = bytes[offset + 1] << 16 | bytes[offset + 2] << 8 | bytes[offset + 3];
            var timestamp = (uint)(bytes[offset + 7] << 24 | bytes[offset + 4] << 16 | bytes[offset + 5] << 8 | bytes[offset + 6]);
            var dataStart = offset + 11;
            if (dataStart + size > bytes.Length)
            {
                break; // a truncated last tag (an encoder killed mid-write): replay what is complete
            }
            var payload = bytes.AsMemory(dataStart, size);
            offset = dataStart + size + 4;
            if (size == 0)
            {
                continue;
            }
            switch (type)
            {
                case 8:
                    var audioHeader = ProtocolFlvTag.IsAudioSequenceHeader(payload.Span);
                    (audioHeader ? headers : media).Add(new ReplayTag(RtmpMessageType.Audio, timestamp, payload, audioHeader));
                    break;
                case 9:
                    var videoHeader = ProtocolFlvTag.IsVideoSequenceHeader(payload.Span);
                    (videoHeader ? headers : media).Add(new ReplayTag(RtmpMessageType.Video, timestamp, payload, videoHeader));
                    break;
                case 18:
                    var metadata = IsOnMetaData(payload.Span);
                    (metadata ? headers : media).Add(new ReplayTag(RtmpMessageType.DataAmf0, timestamp, payload, metadata));
                    break;
            }
        }
        return new FlvFile(path, bytes, headers, media);
    }

    private static bool IsOnMetaData(ReadOnlySpan<byte> payload) => payload.StartsWith(OnMetaData);
}
