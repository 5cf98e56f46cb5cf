using System.Text;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// The relay oracle for a recording: every audio and video packet of the source arrives bit-exact and in order.
/// Per stream (video, audio) the ordered list of (size, MD5) must be equal, the codec and its extradata (the sequence
/// header) must be equal, and every packet's dts and pts must sit at one constant offset from the source's, the same
/// offset for the whole file (nginx-rtmp's recorder rebases a stream to its first message; a remuxer may shift it).
/// </summary>
internal static class RecordingComparer
{
    private const int ListedPerKind = 10;
    private const int ContextPackets = 2;

    public static OracleResult Compare(MediaListing expected, MediaListing actual)
    {
        var problems = new List<string>();
        var streams = new List<StreamComparison>();
        var details = new StringBuilder();
        long? fileOffset = null;
        string? offsetOrigin = null;

        foreach (var mediaType in new[] { MediaListing.Video, MediaListing.Audio })
        {
            var expectedStream = expected.StreamOf(mediaType);
            if (expectedStream is null)
            {
                continue;
            }

            var e = expected.PacketsOf(mediaType);
            var actualStream = actual.StreamOf(mediaType);
            if (actualStream is null)
            {
                problems.Add($"{mediaType}: the stream is missing ({e.Count} packets expected).");
                streams.Add(new StreamComparison(mediaType, e.Count, 0, 0, e.Count, 0, 0));
                continue;
            }

            CompareStreamInfo(mediaType, expectedStream, actualStream, problems);

            var a = actual.PacketsOf(mediaType);
            var alignment = PacketAlignment.Align(e, a);

            int? firstMismatch = null;
            for (var k = 0; k < Math.Max(e.Count, a.Count); k++)
            {
                if (k >= e.Count || k >= a.Count || e[k].Content != a[k].Content)
                {
                    firstMismatch = k;
                    break;
                }
            }

            if (firstMismatch is { } first)
            {
                var expectedText = first < e.Count ? e[first].ToString() : "(end of source)";
                var actualText = first < a.Count ? a[first].ToString() : "(end of recording)";
                problems.Add($"{mediaType}: packet {first} differs: expected {expectedText}; got {actualText}. " +
                    $"{alignment.Missing.Count} missing, {alignment.Extra.Count} extra.");
                AppendContext(details, mediaType, e, a, first);
                AppendListed(details, $"{mediaType} missing (source index)", alignment.Missing.Select(i => (i, e[i])));
                AppendListed(details, $"{mediaType} extra (recording index)", alignment.Extra.Select(i => (i, a[i])));
            }

            var timestampMismatches = 0;
            foreach (var (i, j) in alignment.Matches)
            {
                var dtsOffset = a[j].Dts - e[i].Dts;
                var ptsOffset = a[j].Pts - e[i].Pts;
                if (fileOffset is null)
                {
                    fileOffset = dtsOffset;
                    offsetOrigin = $"{mediaType} packet {j}";
                }

                if (dtsOffset != fileOffset || ptsOffset != fileOffset)
                {
                    if (timestampMismatches == 0)
                    {
                        problems.Add($"{mediaType}: packet {j} (source {i}) is at dts {a[j].Dts} pts {a[j].Pts}, expected dts {e[i].Dts + fileOffset} " +
                            $"pts {e[i].Pts + fileOffset} (source dts {e[i].Dts} pts {e[i].Pts} + the file's offset {fileOffset}, taken from {offsetOrigin}).");
                    }

                    timestampMismatches++;
                }
            }

            if (timestampMismatches > 1)
            {
                problems.Add($"{mediaType}: {timestampMismatches} packets in all are off the file's constant timestamp offset.");
            }

            streams.Add(new StreamComparison(mediaType, e.Count, a.Count, firstMismatch, alignment.Missing.Count, alignment.Extra.Count, timestampMismatches));
        }

        if (streams.Count == 0)
        {
            problems.Add($"the source {expected.Source} has neither video nor audio: nothing to compare.");
        }

        var title = $"{actual.Source} against source {expected.Source}" + (fileOffset is { } o ? $" (timestamp offset {o})" : "");
        return new OracleResult(title, problems, streams, details.ToString());
    }

    /// <summary>Codec, time base and extradata must match; shared by the player oracle.</summary>
    internal static void CompareStreamInfo(string mediaType, MediaStreamInfo expected, MediaStreamInfo actual, List<string> problems)
    {
        if (expected.CodecId != actual.CodecId)
        {
            problems.Add($"{mediaType}: codec {actual.CodecId}, expected {expected.CodecId}.");
        }

        if (expected.TimeBase != actual.TimeBase)
        {
            problems.Add($"{mediaType}: time base {actual.TimeBase}, expected {expected.TimeBase}.");
        }

        if (expected.ExtradataHash != actual.ExtradataHash || expected.ExtradataSize != actual.ExtradataSize)
        {
            problems.Add($"{mediaType}: extradata (sequence header) is {actual.Extradata}, expected {expected.Extradata}.");
        }
    }

    internal static void AppendContext(StringBuilder details, string mediaType, IReadOnlyList<MediaPacket> expected, IReadOnlyList<MediaPacket> actual, int at, int expectedBase = 0)
    {
        details.AppendLine($"  {mediaType} around packet {at}:");
        for (var k = Math.Max(0, at - ContextPackets); k <= at + ContextPackets; k++)
        {
            var ek = expectedBase + k;
            var left = ek < expected.Count ? expected[ek].ToString() : "-";
            var right = k < actual.Count ? actual[k].ToString() : "-";
            var same = ek < expected.Count && k < actual.Count && expected[ek].Content == actual[k].Content;
            details.AppendLine($"    {(same ? " " : "!")} #{k,-5} expected: {left,-70} got: {right}");
        }
    }

    internal static void AppendListed(StringBuilder details, string label, IEnumerable<(int Index, MediaPacket Packet)> packets)
    {
        var list = packets.ToList();
        if (list.Count == 0)
        {
            return;
        }

        details.AppendLine($"  {label}: {list.Count}");
        foreach (var (index, packet) in list.Take(ListedPerKind))
        {
            details.AppendLine($"      #{index}: {packet}");
        }

        if (list.Count > ListedPerKind)
        {
            details.AppendLine($"      ... {list.Count - ListedPerKind} more");
        }
    }
}
