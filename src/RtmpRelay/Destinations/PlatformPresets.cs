using System.Globalization;
using System.Text;

namespace RtmpRelay.Destinations;

/// <summary>
/// Destination presets: a platform name and a stream key expand to the platform's documented ingest URLs, with the
/// key as the stream name (the URL's last path segment, see <see cref="DestinationUrl"/>).
/// </summary>
/// <remarks>
/// <para>
/// The key is carried verbatim except where it would change how <see cref="DestinationUrl.TryParse"/> splits the
/// URL: every '/' before the key's first '?' is written %2F (it would otherwise move part of the key into the
/// application), and a '?' at the very start is written %3F (it would otherwise leave an empty stream name). A '?'
/// elsewhere, and '&amp;', '=', '#' or '%', stay as they are: DestinationUrl keeps a query in the stream name and
/// nothing decodes it, so escaping them would change the name the platform receives (Facebook's older stream keys
/// are <c>&lt;id&gt;?s_bl=1&amp;...&amp;a=...</c>). No platform issues keys that need escaping, and an escaped key is
/// sent escaped. Whitespace, control and invisible formatting characters cannot be part of a key: such a key is
/// refused. Error messages never contain the key.
/// </para>
/// </remarks>
internal static class PlatformPresets
{
    /// <summary>
    /// YouTube, RTMPS. YouTube's "Delivering Live YouTube Content via RTMPS"
    /// (https://developers.google.com/youtube/v3/live/guides/rtmps-ingestion): the protocol must be rtmps, the
    /// connection must go to port 443 with SNI, RTMPS server names contain "rtmps", and for dual ingestion the backup
    /// address is given next to the primary (cdn.ingestionInfo.rtmpsIngestionAddress / rtmpsBackupIngestionAddress);
    /// the IngestionInfo reference says to join address and stream name as STREAM_URL/STREAM_NAME. Those pages name
    /// no host: the host names here are the addresses YouTube gives encoders, as OBS Studio ships them
    /// (obsproject/obs-studio, plugins/rtmp-services/data/services.json, "YouTube - RTMPS").
    /// </summary>
    private const string YouTubePrimary = "rtmps://a.rtmps.youtube.com:443/live2/";

    /// <summary>YouTube's backup ingest, same sources as <see cref="YouTubePrimary"/>; "?backup=1" is part of the application.</summary>
    private const string YouTubeBackup = "rtmps://b.rtmps.youtube.com:443/live2?backup=1/";

    /// <summary>
    /// Twitch, RTMPS. Twitch's "Video Broadcast" (https://dev.twitch.tv/docs/video-broadcast/): broadcast URLs are
    /// rtmp://&lt;ingest-server&gt;/app/&lt;stream-key&gt;; "Get Ingest Servers"
    /// (https://dev.twitch.tv/docs/video-broadcast/reference/ingest/) lists the "Default" (global) ingest with
    /// url_template rtmp://ingest.global-contribute.live-video.net/app/{stream_key} and url_template_secure
    /// rtmps://ingest.global-contribute.live-video.net/app/{stream_key}; the secure one is used (no port: rtmps's 443).
    /// Twitch documents no backup ingest.
    /// </summary>
    private const string TwitchPrimary = "rtmps://ingest.global-contribute.live-video.net/app/";

    /// <summary>
    /// Facebook, RTMPS, which Facebook requires: Live Video API overview
    /// (https://developers.facebook.com/docs/live-video-api/overview), "Data streamed to an ingest stream URL must be
    /// encrypted using the RTMPS data transfer protocol". The server is the persistent-key ingest Facebook's Live
    /// Producer shows, rtmps://live-api-s.facebook.com:443/rtmp/. Facebook's backup URLs are issued per broadcast
    /// through the API (secure_stream_secondary_urls), not as a fixed address, so there is no backup preset.
    /// </summary>
    private const string FacebookPrimary = "rtmps://live-api-s.facebook.com:443/rtmp/";

    private sealed record Preset(string Primary, string? Backup);

    private static readonly Dictionary<string, Preset> Presets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["youtube"] = new(YouTubePrimary, YouTubeBackup),
        ["twitch"] = new(TwitchPrimary, null),
        ["facebook"] = new(FacebookPrimary, null),
    };

    private static readonly string[] KnownNames = ["youtube", "twitch", "facebook"];

    /// <summary>The platform names, lower case (matching is case-insensitive).</summary>
    public static IReadOnlyCollection<string> Names { get; } = Array.AsReadOnly(KnownNames);

    private static string Known => string.Join(", ", KnownNames);

    /// <summary>
    /// Expands <paramref name="platform"/> (case-insensitive) and <paramref name="key"/> to the platform's primary
    /// ingest URL and, where the platform documents one, its backup. False, with an error that names the known
    /// platforms and never contains the key, for an unknown platform or an empty or unusable key.
    /// </summary>
    public static bool TryExpand(string platform, string key, out string url, out string? backupUrl, out string error)
    {
        url = "";
        backupUrl = null;
        var name = platform?.Trim() ?? "";
        if (name.Length == 0)
        {
            error = $"no platform given (known platforms: {Known})";
            return false;
        }
        // The platform text is not echoed: a key pasted into the wrong field must not end up in a log.
        if (!Presets.TryGetValue(name, out var preset))
        {
            error = $"unknown platform (known platforms: {Known})";
            return false;
        }
        var canonical = name.ToLowerInvariant();
        if (string.IsNullOrEmpty(key))
        {
            error = $"no stream key given for platform '{canonical}' (known platforms: {Known})";
            return false;
        }
        if (!TryEscapeKey(key, out var streamName))
        {
            error = $"the stream key for platform '{canonical}' contains whitespace, a control character or an "
                + "invisible formatting character (copied with the key?)";
            return false;
        }
        url = preset.Primary + streamName;
        backupUrl = preset.Backup is null ? null : preset.Backup + streamName;
        error = "";
        return true;
    }

    /// <summary>The key as a stream name, by the rules in the type's remarks; false for a character no key has.</summary>
    private static bool TryEscapeKey(string key, out string streamName)
    {
        var builder = new StringBuilder(key.Length + 8);
        var inQuery = false;
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsWhiteSpace(c) || char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                streamName = "";
                return false;
            }
            if (c == '?' && i == 0)
            {
                builder.Append("%3F");
            }
            else if (c == '?')
            {
                inQuery = true;
                builder.Append(c);
            }
            else if (c == '/' && !inQuery)
            {
                builder.Append("%2F");
            }
            else
            {
                builder.Append(c);
            }
        }
        streamName = builder.ToString();
        return true;
    }
}
