using System.Text;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// The relay oracle for a recording of several publishes bridged into one (an encoder that reconnected): per stream
/// (video, audio) the recording holds every packet of run 1, then every packet of run 2, and so on, bit-exact (size,
/// MD5) and in order; codec and extradata match; every packet of run r sits at one constant dts/pts offset from its
/// source, the same for both streams, each run with its own offset; and dts never goes back anywhere in the file.
/// </summary>
internal static class RecordingRunsComparer
{
    public static RunsComparison Compare(IReadOnlyList<MediaListing> runs, MediaListing actual)
    {
        if (runs.Count == 0)
        {
            throw new ArgumentException("At least one expected run is needed.", nameof(runs));
        }

        var problems = new List<string>();
        var streams = new List<StreamComparison>();
        var details = new StringBuilder();
        var offsets = new long?[runs.Count];
        var origins = new string?[runs.Count];

        foreach (var mediaType in new[] { MediaListing.Video, MediaListing.Audio })
        {
            var expectedStream = runs[0].StreamOf(mediaType);
            if (expectedStream is null)
            {
                continue;
            }

            // The expected sequence: run 1's packets, then run 2's ...; for each, its run and its index in that run.
            var e = new List<MediaPacket>();
            var runOf = new List<int>();
            var indexInRun = new List<int>();
            var runSizes = new int[runs.Count];
            for (var r = 0; r < runs.Count; r++)
            {
                if (runs[r].StreamOf(mediaType) is not { } runStream)
                {
                    problems.Add($"{mediaType}: expected run {r + 1} ({runs[r].Source}) has no {mediaType} stream: the runs must carry the same streams.");
                    continue;
                }

                if (r > 0)
                {
                    RecordingComparer.CompareStreamInfo($"{mediaType} (run {r + 1} against run 1)", expectedStream, runStream, problems);
                }

                var packets = runs[r].PacketsOf(mediaType);
                runSizes[r] = packets.Count;
                for (var k = 0; k < packets.Count; k++)
                {
                    e.Add(packets[k]);
                    runOf.Add(r);
                    indexInRun.Add(k);
                }
            }

            string Where(int i) => i < e.Count ? $"run {runOf[i] + 1} packet {indexInRun[i]} ({e[i]})" : "(end of the last run)";

            var actualStream = actual.StreamOf(mediaType);
            if (actualStream is null)
            {
                problems.Add($"{mediaType}: the stream is missing ({e.Count} packets expected in {runs.Count} runs).");
                streams.Add(new StreamComparison(mediaType, e.Count, 0, 0, e.Count, 0, 0));
                continue;
            }

            RecordingComparer.CompareStreamInfo(mediaType, expectedStream, actualStream, problems);

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
                var actualText = first < a.Count ? a[first].ToString() : "(end of recording)";
                problems.Add($"{mediaType}: packet {first} differs: expected {Where(first)}; got {actualText}. " +
                    $"{alignment.Missing.Count} missing, {alignment.Extra.Count} extra.");
                RecordingComparer.AppendContext(details, mediaType, e, a, first);
                RecordingComparer.AppendListed(details, $"{mediaType} missing (index in the runs, run by run)", alignment.Missing.Select(i => (i, e[i])));
                RecordingComparer.AppendListed(details, $"{mediaType} extra (recording index)", alignment.Extra.Select(i => (i, a[i])));
            }

            for (var r = 0; r < runs.Count; r++)
            {
                var missingInRun = alignment.Missing.Count(i => runOf[i] == r);
                if (missingInRun > 0)
                {
                    problems.Add($"{mediaType}: run {r + 1}: {missingInRun} of its {runSizes[r]} packets missing" +
                        (missingInRun == runSizes[r] ? " (the whole run; with runs of equal content, which one is absent cannot be told)." : "."));
                }
            }

            var timestampMismatches = 0;
            foreach (var (i, j) in alignment.Matches)
            {
                var r = runOf[i];
                var dtsOffset = a[j].Dts - e[i].Dts;
                var ptsOffset = a[j].Pts - e[i].Pts;
                if (offsets[r] is null)
                {
                    offsets[r] = dtsOffset;
                    origins[r] = $"{mediaType} packet {j}";
                }

                if (dtsOffset != offsets[r] || ptsOffset != offsets[r])
                {
                    if (timestampMismatches == 0)
                    {
                        problems.Add($"{mediaType}: packet {j} ({Where(i)}) is at dts {a[j].Dts} pts {a[j].Pts}, expected dts {e[i].Dts + offsets[r]} " +
                            $"pts {e[i].Pts + offsets[r]} (source + run {r + 1}'s offset {offsets[r]}, taken from {origins[r]}).");
                    }

                    timestampMismatches++;
                }
            }

            if (timestampMismatches > 1)
            {
                problems.Add($"{mediaType}: {timestampMismatches} packets in all are off their run's constant timestamp offset.");
            }

            var backwards = 0;
            for (var j = 1; j < a.Count; j++)
            {
                if (a[j].Dts < a[j - 1].Dts)
                {
                    if (backwards == 0)
                    {
                        problems.Add($"{mediaType}: dts goes back at packet {j}: {a[j].Dts} after {a[j - 1].Dts} (packet {j - 1}).");
                        RecordingComparer.AppendContext(details, $"{mediaType} (dts going back)", e, a, j);
                    }

                    backwards++;
                }
            }

            if (backwards > 1)
            {
                problems.Add($"{mediaType}: dts goes back {backwards} times in all.");
            }

            streams.Add(new StreamComparison(mediaType, e.Count, a.Count, firstMismatch, alignment.Missing.Count, alignment.Extra.Count, timestampMismatches));
        }

        if (streams.Count == 0)
        {
            problems.Add($"the first run {runs[0].Source} has neither video nor audio: nothing to compare.");
        }

        var gaps = new TimeSpan?[runs.Count];
        var timeBase = actual.StreamOf(MediaListing.Video) ?? actual.StreamOf(MediaListing.Audio);
        for (var r = 1; r < runs.Count; r++)
        {
            if (offsets[r - 1] is { } before && offsets[r] is { } after && timeBase is not null &&
                runs[r - 1].Packets.Count > 0 && runs[r].Packets.Count > 0)
            {
                var end = runs[r - 1].Packets.Max(p => p.Dts + p.Duration) + before;
                var start = runs[r].Packets.Min(p => p.Dts) + after;
                gaps[r] = timeBase.ToTime(start - end);
            }
        }

        var title = $"{actual.Source} against {runs.Count} runs ({string.Join(", ", runs.Select(r => r.Source).Distinct())}): " +
            $"run offsets [{string.Join(", ", offsets.Select(o => o?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"))}]" +
            (runs.Count > 1 ? $", gaps [{string.Join(", ", gaps.Skip(1).Select(g => g is { } t ? $"{t.TotalMilliseconds:0} ms" : "?"))}]" : "");
        return new RunsComparison(new OracleResult(title, problems, streams, details.ToString()), offsets, gaps);
    }
}
