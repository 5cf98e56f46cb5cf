using System.Text;
using RtmpRelay.Options;

namespace RtmpRelay.Destinations;

/// <summary>
/// One destination of an application as a validated, immutable value: URL templates (a platform preset already
/// expanded) and TLS settings. Reconfiguration compares specs by value: an equal spec means the destination is left
/// alone, a different one that it restarts.
/// </summary>
internal sealed record DestinationSpec(
    string Name,
    string Url,
    string? BackupUrl,
    int FailoverAfter,
    string? CertificateFingerprint,
    bool AllowInvalidCertificate)
{
    /// <summary>The name only: URLs hold stream keys, and a record's generated ToString would print them.</summary>
    public override string ToString() => Name;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name);
        return true;
    }

    /// <summary>Checks one configured destination and builds its spec; problems go to <paramref name="errors"/>, never with a key in them.</summary>
    public static bool TryCreate(string app, string name, DestinationOptions options, List<string> errors, out DestinationSpec spec)
    {
        spec = null!;
        var section = $"Relay:Applications:{app}:Destinations:{name}";
        var before = errors.Count;
        var url = options.Url;
        var backup = string.IsNullOrWhiteSpace(options.BackupUrl) ? null : options.BackupUrl;
        if (!string.IsNullOrWhiteSpace(options.Platform))
        {
            if (!string.IsNullOrEmpty(url))
            {
                errors.Add($"{section}: set either Url or Platform with Key, not both.");
            }
            else if (!PlatformPresets.TryExpand(options.Platform, options.Key ?? "", out url, out var presetBackup, out var presetError))
            {
                errors.Add($"{section}: {presetError}");
            }
            else
            {
                backup ??= presetBackup;
            }
        }
        else if (string.IsNullOrEmpty(url))
        {
            errors.Add($"{section}: Url (or Platform with Key) is required.");
        }
        if (errors.Count == before)
        {
            CheckUrl(app, url, $"{section}:Url", errors);
            if (backup is not null)
            {
                CheckUrl(app, backup, $"{section}:BackupUrl", errors);
            }
        }
        if (options.FailoverAfter < 1)
        {
            errors.Add($"{section}:FailoverAfter must be at least 1 (is {options.FailoverAfter}).");
        }
        var pin = DestinationTls.NormalizeFingerprint(options.CertificateFingerprint);
        if (pin is not null && (pin.Length != 64 || !pin.All(Uri.IsHexDigit)))
        {
            errors.Add($"{section}:CertificateFingerprint must be a SHA-256 fingerprint: 64 hex digits, colons allowed.");
        }
        if (errors.Count != before)
        {
            return false;
        }
        spec = new DestinationSpec(name, url, backup, options.FailoverAfter, options.CertificateFingerprint, options.AllowInvalidCertificate);
        return true;
    }

    private static void CheckUrl(string app, string template, string key, List<string> errors)
    {
        if (!DestinationUrl.TryParse(DestinationUrl.Expand(template, app, "stream"), out _, out var error))
        {
            errors.Add($"{key}: {error}.");
        }
    }
}
