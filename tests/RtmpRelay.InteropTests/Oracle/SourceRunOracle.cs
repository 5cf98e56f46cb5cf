using System.Text;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// The oracle for a recording that must hold one contiguous stretch of the source, such as a destination that joined a
/// live stream and left it before the end: it has both video and audio; per stream its packets (size, MD5) are one
/// contiguous run of the source's; the video run starts on one of the source's keyframes; codecs and extradata match;
/// all timestamps sit at one constant offset from the source's; and the video lasts between the given bounds.
/// </summary>
internal static class SourceRunOracle
{
    /// <param name="source">The source's listing.</param>
    /// <param name="sourceVideoKeyframes">The key flag of each of the source's video packets (see <see cref="KeyframeProbe.VideoKeyframeFlagsAsync"/>).</param>
    /// <param name="output">The recording's listing.</param>
    /// <param name="minDuration">The shortest the video run may last (first dts to last dts plus duration).</param>
    /// <param name="maxDuration">The longest it may last.</param>
    public static OracleResult Check(MediaListing source, IReadOnlyList<bool> sourceVideoKeyframes, MediaListing output, TimeSpan minDuration, TimeSpan maxDuration)
    {
        var problems = new List<string>();
        var streams = new List<StreamComparison>();
        var details = new StringBuilder();
        long? fileOffset = null;
        string? offsetOrigin = null;
        int? videoStart = null;
        TimeSpan? videoDuration = null;

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
                problems.Add($"{mediaType}: the recording has no {mediaType} packets.");
                streams.Add(new StreamComparison(mediaType, 0, 0, 0, 0, 0, 0));
                continue;
            }

            RecordingComparer.CompareStreamInfo(mediaType, sourceStream, outputStream, problems);

            // Where in the source does the run start? Every source packet equal to the recording's first is a candidate
            // (silence or a still picture repeat); the longest run wins, and once video has fixed the file's offset,
            // a candidate at that offset wins over any other.
            int start = -1, runLength = 0;
            var startAtOffset = false;
            for (var k = 0; k < src.Count; k++)
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

                var atOffset = fileOffset is { } known && outp[0].Dts - src[k].Dts == known;
                if (start < 0 || (atOffset && !startAtOffset) || (atOffset == startAtOffset && length > runLength))
                {
                    (start, runLength, startAtOffset) = (k, length, atOffset);
                }
            }

            if (start < 0)
            {
                problems.Add($"{mediaType}: the recording's first packet ({outp[0]}) is nowhere in the source.");
                streams.Add(new StreamComparison(mediaType, 0, outp.Count, 0, 0, outp.Count, 0));
                continue;
            }

            details.AppendLine($"  {mediaType}: recording packets [0, {outp.Count}) start at source packet {start} of {src.Count}; {runLength} match in a row.");
            int? firstMismatch = null;
            if (runLength < outp.Count)
            {
                firstMismatch = runLength;
                var expectedText = start + runLength < src.Count ? src[start + runLength].ToString() : "(end of source)";
                problems.Add($"{mediaType}: not a contiguous run of the source: recording packet {runLength} ({outp[runLength]}) " +
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
                        problems.Add($"{mediaType}: recording packet {i} is at dts {outp[i].Dts} pts {outp[i].Pts}, expected dts {src[start + i].Dts + fileOffset} " +
                            $"pts {src[start + i].Pts + fileOffset} (source packet {start + i} + the file's offset {fileOffset}, taken from {offsetOrigin}).");
                    }

                    timestampMismatches++;
                }
            }

            if (timestampMismatches > 1)
            {
                problems.Add($"{mediaType}: {timestampMismatches} packets in all are off the file's constant timestamp offset.");
            }

            if (mediaType == MediaListing.Video)
            {
                videoStart = start;
                if (sourceVideoKeyframes.Count != src.Count)
                {
                    problems.Add($"video: key flags were given for {sourceVideoKeyframes.Count} video packets, the source has {src.Count}: cannot tell keyframes.");
                }
                else if (!sourceVideoKeyframes[start])
                {
                    var previous = Enumerable.Range(0, start).LastOrDefault(k => sourceVideoKeyframes[k], -1);
                    var next = Enumerable.Range(start, src.Count - start).FirstOrDefault(k => sourceVideoKeyframes[k], -1);
                    problems.Add($"video: the run starts at source video packet {start}, which is not a keyframe " +
                        $"(keyframes before and after it: {(previous < 0 ? "none" : previous)}, {(next < 0 ? "none" : next)}).");
                }

                videoDuration = outputStream.ToTime(outp[^1].Dts + outp[^1].Duration - outp[0].Dts);
                if (videoDuration is not { } lasted)
                {
                    problems.Add($"video: the recording's time base '{outputStream.TimeBase}' is unknown: cannot tell how long the run lasts.");
                }
                else if (lasted < minDuration || lasted > maxDuration)
                {
                    problems.Add($"video: the run lasts {lasted.TotalSeconds:0.000} s, expected between {minDuration.TotalSeconds:0.###} and {maxDuration.TotalSeconds:0.###} s.");
                }
            }

            streams.Add(new StreamComparison(mediaType, Math.Min(outp.Count, src.Count - start), outp.Count, firstMismatch, 0, outp.Count - runLength, timestampMismatches));
        }

        var title = $"{output.Source} as a run of source {source.Source}" +
            (videoStart is { } v ? $" from video packet {v}" : "") +
            (videoDuration is { } d ? $", {d.TotalSeconds:0.000} s of video" : "") +
            (fileOffset is { } o ? $" (timestamp offset {o})" : "");
        return new OracleResult(title, problems, streams, details.ToString());
    }
}
