namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// Aligns two packet sequences on (size, MD5) with a longest common subsequence, so a report can say which source
/// packets are missing and which packets are extra rather than only "differs from index k on".
/// </summary>
internal sealed class PacketAlignment
{
    private const long MaxCells = 30_000_000;

    private PacketAlignment(IReadOnlyList<(int Expected, int Actual)> matches, IReadOnlyList<int> missing, IReadOnlyList<int> extra)
    {
        Matches = matches;
        Missing = missing;
        Extra = extra;
    }

    /// <summary>Pairs of indices (expected, actual) of packets with equal content, in order.</summary>
    public IReadOnlyList<(int Expected, int Actual)> Matches { get; }

    /// <summary>Indices of expected packets with no counterpart.</summary>
    public IReadOnlyList<int> Missing { get; }

    /// <summary>Indices of actual packets with no counterpart.</summary>
    public IReadOnlyList<int> Extra { get; }

    public static PacketAlignment Align(IReadOnlyList<MediaPacket> expected, IReadOnlyList<MediaPacket> actual)
    {
        var matches = new List<(int, int)>();
        var missing = new List<int>();
        var extra = new List<int>();

        // Common prefix and suffix first: recordings are nearly identical, so the quadratic part stays tiny.
        var prefix = 0;
        while (prefix < expected.Count && prefix < actual.Count && expected[prefix].Content == actual[prefix].Content)
        {
            matches.Add((prefix, prefix));
            prefix++;
        }

        var suffix = 0;
        while (suffix < expected.Count - prefix && suffix < actual.Count - prefix &&
               expected[expected.Count - 1 - suffix].Content == actual[actual.Count - 1 - suffix].Content)
        {
            suffix++;
        }

        var n = expected.Count - prefix - suffix;
        var m = actual.Count - prefix - suffix;
        if ((long)(n + 1) * (m + 1) > MaxCells)
        {
            // Too big to align: call everything in the middle missing and extra.
            missing.AddRange(Enumerable.Range(prefix, n));
            extra.AddRange(Enumerable.Range(prefix, m));
        }
        else
        {
            // lcs[i, j] = LCS length of expected[prefix + i ..] and actual[prefix + j ..] (middle parts only).
            var lcs = new int[n + 1, m + 1];
            for (var i = n - 1; i >= 0; i--)
            {
                for (var j = m - 1; j >= 0; j--)
                {
                    lcs[i, j] = expected[prefix + i].Content == actual[prefix + j].Content
                        ? lcs[i + 1, j + 1] + 1
                        : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
                }
            }

            int x = 0, y = 0;
            while (x < n && y < m)
            {
                if (expected[prefix + x].Content == actual[prefix + y].Content)
                {
                    matches.Add((prefix + x, prefix + y));
                    x++;
                    y++;
                }
                else if (lcs[x + 1, y] >= lcs[x, y + 1])
                {
                    missing.Add(prefix + x);
                    x++;
                }
                else
                {
                    extra.Add(prefix + y);
                    y++;
                }
            }

            for (; x < n; x++)
            {
                missing.Add(prefix + x);
            }

            for (; y < m; y++)
            {
                extra.Add(prefix + y);
            }
        }

        for (var k = 0; k < suffix; k++)
        {
            matches.Add((expected.Count - suffix + k, actual.Count - suffix + k));
        }

        return new PacketAlignment(matches, missing, extra);
    }
}
