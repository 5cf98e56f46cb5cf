using System.Text;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// The oracle for what a player recorded while joining a live stream: it has both video and audio, its first video
/// packet is a keyframe, per stream its packets (size, MD5) are one contiguous run of the source's packets, codecs and
/// extradata match, and the timestamps sit at one constant offset from the source's for the whole file.
/// </summary>
internal static class PlayerOracle
{
    public static OracleResult Check(MediaListing source, MediaListing output, bool? firstVideoPacketIsKeyframe)
    {
        var problems = new List<string>();
        var streams = new List<StreamComparison>();
        var details = new StringBuilder();
        long? fileOffset = null;
        string? offsetOrigin = null;

        foreach (var mediaType in new[] { MediaListing.Video, MediaListing.Audio })
        {
            var src = source.PacketsOf(mediaType);
            var outp = output.PacketsOf(mediaType);
            if (source.StreamOf(mediaType) is not { } sourceStream || src.Count == 0)
            {
                problems.Add($"{mediaType}: the source {source.Source} has no {mediaType} packets to check against.");
                continue;
            }

            if (output.StreamOf(mediaType) is not { } outputStream || outp.Count == 0)
            {
                problems.Add($"{mediaType}: the player's output has no {mediaType} packets.");
                streams.Add(new StreamComparison(mediaType, 0, 0, 0, 0, 0, 0));
                continue;
            }

            RecordingComparer.CompareStreamInfo(mediaType, sourceStream, outputStream, problems);

            // Where in the source does the output's run start? Try every packet equal to the output's first (silence
            // or a static picture can repeat) and keep the longest run.
            int start = -1, runLength = 0;
            for (var k = 0; k < src.Count && runLength < outp.Count; k++)
            {
                if (src[k].Content != outp[0].Content)
                {
                    continue;
                }

                var length = 0;
                while (length < outp.Count && k + length < src.Count && src[k + length].Content == outp[length].Content)
                {
                    length++;
                }

                if (length > runLength)
                {
                    (start, runLength) = (k, length);
                }
            }

            int? firstMismatch = null;
            if (start < 0)
            {
                firstMismatch = 0;
                problems.Add($"{mediaType}: the output's first packet ({outp[0]}) is nowhere in the source.");
                streams.Add(new StreamComparison(mediaType, 0, outp.Count, 0, 0, outp.Count, 0));
                continue;
            }

            details.AppendLine($"  {mediaType}: output packets [0, {outp.Count}) start at source packet {start} of {src.Count}; {runLength} match in a row.");
            if (runLength < outp.Count)
            {
                firstMismatch = runLength;
                var expectedText = start + runLength < src.Count ? src[start + runLength].ToString() : "(end of source)";
                problems.Add($"{mediaType}: not a contiguous run of the source: output packet {runLength} ({outp[runLength]}) " +
                    $"should be source packet {start + runLength} ({expectedText}).");
                RecordingComparer.AppendContext(details, mediaType, src, outp, runLength, expectedBase: start);
            }

            var timestampMismatches = 0;
            for (var i = 0; i < runLength; i++)
            {
                var dtsOffset = outp[i].Dts - src[start + i].Dts;
                var ptsOffset = outp[i].Pts - src[start + i].Pts;
                if (fileOffset is null)
                {
                    fileOffset = dtsOffset;
                    offsetOrigin = $"{mediaType} packet {i}";
                }

                if (dtsOffset != fileOffset || ptsOffset != fileOffset)
                {
                    if (timestampMismatches == 0)
                    {
                        problems.Add($"{mediaType}: output packet {i} is at dts {outp[i].Dts} pts {outp[i].Pts}, expected dts {src[start + i].Dts + fileOffset} " +
                            $"pts {src[start + i].Pts + fileOffset} (source packet {start + i} + the file's offset {fileOffset}, taken from {offsetOrigin}).");
                    }

                    timestampMismatches++;
                }
            }

            streams.Add(new StreamComparison(mediaType, Math.Min(outp.Count, src.Count - start), outp.Count, firstMismatch, 0, outp.Count - runLength, timestampMismatches));
        }

        if (firstVideoPacketIsKeyframe is not true)
        {
            problems.Add(firstVideoPacketIsKeyframe is null
                ? "video: no first video packet to check for a keyframe."
                : "video: the first video packet is not a keyframe.");
        }

        var title = $"player output {output.Source} against source {source.Source}" + (fileOffset is { } o ? $" (timestamp offset {o})" : "");
        return new OracleResult(title, problems, streams, details.ToString());
    }
}
