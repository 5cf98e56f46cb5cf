using System.Globalization;
using System.Text.RegularExpressions;

namespace RtmpRelay.InteropTests.Oracle;

/// <summary>
/// The relay's console log (Microsoft.Extensions.Logging's simple formatter, as <c>RelayProcess</c> configures it)
/// parsed into entries: a header line <c>HH:mm:ss.fff level: Category[EventId]</c> followed by the message on lines
/// indented by six spaces, or everything on one line (SingleLine). Lines that belong to no entry (the runtime's own
/// output) are skipped. Also finds what the relay logged about one destination of one stream.
/// </summary>
internal sealed partial class RelayLog
{
    /// <summary>DestinationLog.Connecting: "[STREAM -> NAME] Connecting to URL", Information.</summary>
    public const int ConnectingEventId = 400;

    /// <summary>DestinationLog.Failed: "[STREAM -> NAME] Failed: REASON; retrying in N ms", Warning.</summary>
    public const int FailedEventId = 402;

    private const string MessageIndent = "      ";

    private RelayLog(IReadOnlyList<RelayLogEntry> entries) => Entries = entries;

    public IReadOnlyList<RelayLogEntry> Entries { get; }

    public static RelayLog Parse(string text)
    {
        var entries = new List<RelayLogEntry>();
        RelayLogEntry? current = null;
        var message = new List<string>();

        void Finish()
        {
            if (current is not null)
            {
                entries.Add(current with { Message = string.Join('\n', message) });
            }

            current = null;
            message.Clear();
        }

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var header = HeaderPattern().Match(line);
            if (header.Success)
            {
                Finish();
                TimeSpan? time = header.Groups["time"].Success
                    ? TimeSpan.ParseExact(header.Groups["time"].Value, @"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture)
                    : null;
                current = new RelayLogEntry(
                    i + 1,
                    time,
                    header.Groups["level"].Value,
                    header.Groups["category"].Value,
                    int.Parse(header.Groups["id"].Value, NumberStyles.None, CultureInfo.InvariantCulture),
                    "");
                if (header.Groups["message"].Success)
                {
                    message.Add(header.Groups["message"].Value);
                }
            }
            else if (current is not null && line.StartsWith(MessageIndent, StringComparison.Ordinal))
            {
                message.Add(line[MessageIndent.Length..]);
            }
            else
            {
                Finish();
            }
        }

        Finish();
        return new RelayLog(entries);
    }

    /// <summary>Every "[<paramref name="streamKey"/> -> <paramref name="destination"/>] Connecting to URL" entry, in order.</summary>
    public IReadOnlyList<RelayLogEntry> ConnectAttempts(string streamKey, string destination)
    {
        var prefix = Prefix(streamKey, destination) + "Connecting to ";
        return Entries.Where(e => e.Message.StartsWith(prefix, StringComparison.Ordinal)).ToList();
    }

    /// <summary>
    /// Every "[<paramref name="streamKey"/> -> <paramref name="destination"/>] Failed: REASON; retrying in N ms" entry,
    /// in order, each with the first Connecting entry of the same destination after it.
    /// </summary>
    public IReadOnlyList<DestinationRetry> Retries(string streamKey, string destination)
    {
        var prefix = Prefix(streamKey, destination);
        var connecting = prefix + "Connecting to ";
        var retries = new List<DestinationRetry>();
        for (var i = 0; i < Entries.Count; i++)
        {
            var entry = Entries[i];
            if (!entry.Message.StartsWith(prefix, StringComparison.Ordinal) ||
                FailurePattern().Match(entry.Message[prefix.Length..]) is not { Success: true } failure)
            {
                continue;
            }

            var next = Entries.Skip(i + 1).FirstOrDefault(e => e.Message.StartsWith(connecting, StringComparison.Ordinal));
            retries.Add(new DestinationRetry(
                entry,
                failure.Groups["reason"].Value,
                long.Parse(failure.Groups["ms"].Value, NumberStyles.None, CultureInfo.InvariantCulture),
                next));
        }

        return retries;
    }

    /// <summary>"[live/STREAM -> NAME] ", how DestinationLog starts every message about one destination of one stream.</summary>
    public static string Prefix(string streamKey, string destination) => $"[{streamKey} -> {destination}] ";

    // "07:32:37.138 info: RtmpRelay.Destinations.DestinationManager[400]", optionally with the message after it (SingleLine).
    [GeneratedRegex(@"^(?:(?<time>\d{2}:\d{2}:\d{2}\.\d{3})\s+)?(?<level>trce|dbug|info|warn|fail|crit): (?<category>[^\s\[]+)\[(?<id>\d+)\](?: (?<message>.*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex HeaderPattern();

    [GeneratedRegex(@"^Failed: (?<reason>.*); retrying in (?<ms>\d+) ms$", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex FailurePattern();
}
