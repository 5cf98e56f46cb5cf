using System.Globalization;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// A parsed <c>ffmpeg -f framemd5</c> listing (version 2): per stream its type, codec, time base and extradata, and every
/// packet in file order. Columns after the hash (side data such as <c>S=1, 5, md5</c> that nginx-rtmp's recordings
/// carry on their first audio packet) are ignored: they describe the container, not the payload.
/// </summary>
internal sealed class MediaListing
{
    public const string Video = "video";
    public const string Audio = "audio";

    public MediaListing(string source, IReadOnlyList<MediaStreamInfo> streams, IReadOnlyList<MediaPacket> packets)
    {
        Source = source;
        Streams = streams;
        Packets = packets;
    }

    /// <summary>What was listed (a file path or a label), for reports.</summary>
    public string Source { get; }

    public IReadOnlyList<MediaStreamInfo> Streams { get; }

    /// <summary>All packets in file order.</summary>
    public IReadOnlyList<MediaPacket> Packets { get; }

    /// <summary>The first stream of <paramref name="mediaType"/> ("video", "audio"), or null.</summary>
    public MediaStreamInfo? StreamOf(string mediaType) => Streams.FirstOrDefault(s => s.MediaType == mediaType);

    /// <summary>The packets of the first stream of <paramref name="mediaType"/>, in order; empty when there is no such stream.</summary>
    public IReadOnlyList<MediaPacket> PacketsOf(string mediaType) =>
        StreamOf(mediaType) is { } stream ? Packets.Where(p => p.StreamIndex == stream.Index).ToList() : [];

    /// <summary>A copy with other packets (for tampering in tests).</summary>
    public MediaListing WithPackets(IEnumerable<MediaPacket> packets, string? source = null) =>
        new(source ?? Source, Streams, packets.ToList());

    /// <summary>A copy with other stream descriptions (for tampering in tests).</summary>
    public MediaListing WithStreams(IEnumerable<MediaStreamInfo> streams) => new(Source, streams.ToList(), Packets);

    public static MediaListing Parse(string text, string source)
    {
        var streams = new SortedDictionary<int, MediaStreamInfo>();
        var packets = new List<MediaPacket>();

        MediaStreamInfo Stream(int index) =>
            streams.TryGetValue(index, out var s) ? s : streams[index] = new MediaStreamInfo(index, "unknown", null, null, null, null);

        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                if (TryHeader(line, "#extradata ", out var index, out var rest))
                {
                    var parts = rest.Split(',', StringSplitOptions.TrimEntries);
                    streams[index] = Stream(index) with { ExtradataSize = ParseInt(parts[0], line), ExtradataHash = parts[1] };
                }
                else if (TryHeader(line, "#media_type ", out index, out rest))
                {
                    streams[index] = Stream(index) with { MediaType = rest };
                }
                else if (TryHeader(line, "#codec_id ", out index, out rest))
                {
                    streams[index] = Stream(index) with { CodecId = rest };
                }
                else if (TryHeader(line, "#tb ", out index, out rest))
                {
                    streams[index] = Stream(index) with { TimeBase = rest };
                }

                continue;
            }

            var columns = line.Split(',', StringSplitOptions.TrimEntries);
            if (columns.Length < 6)
            {
                throw new FormatException($"{source}: line {lineNumber} is not a framemd5 packet line: '{line}'");
            }

            var packet = new MediaPacket(
                StreamIndex: ParseInt(columns[0], line),
                Dts: ParseLong(columns[1], line),
                Pts: ParseLong(columns[2], line),
                Duration: ParseLong(columns[3], line),
                Size: ParseInt(columns[4], line),
                Hash: columns[5]);
            Stream(packet.StreamIndex);
            packets.Add(packet);
        }

        return new MediaListing(source, streams.Values.ToList(), packets);
    }

    public override string ToString() =>
        $"{Source}: " + string.Join(", ", Streams.Select(s => $"{s.MediaType} #{s.Index} {s.CodecId}: {Packets.Count(p => p.StreamIndex == s.Index)} packets"));

    // "#media_type 0: video" / "#extradata 0,  37, md5": the stream index, then ':' or ','.
    private static bool TryHeader(string line, string prefix, out int index, out string rest)
    {
        index = -1;
        rest = "";
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var body = line[prefix.Length..];
        var separator = body.IndexOfAny([':', ',']);
        if (separator < 0 || !int.TryParse(body[..separator].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        rest = body[(separator + 1)..].Trim();
        return true;
    }

    private static int ParseInt(string value, string line) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"Bad number '{value}' in '{line}'");

    private static long ParseLong(string value, string line) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"Bad number '{value}' in '{line}'");
}
