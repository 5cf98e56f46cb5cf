using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RtmpRelay.Transports.Tls;

/// <summary>
/// The self-signed certificate a fresh clone's RTMPS endpoint starts with (certs/dev-cert.pem, certs/dev-key.pem;
/// certs/make-dev-cert.sh makes the same with openssl). Created only at those default paths, never over a user's own.
/// </summary>
internal static class DevelopmentCertificate
{
    public const string DefaultCertificatePath = "certs/dev-cert.pem";
    public const string DefaultKeyPath = "certs/dev-key.pem";

    /// <returns>True when the files were missing and have been created.</returns>
    public static bool EnsureExists(string contentRoot, string? certificatePath, string? keyPath)
    {
        if (!IsDefault(certificatePath, DefaultCertificatePath) || !IsDefault(keyPath, DefaultKeyPath))
        {
            return false;
        }
        var certificateFile = Path.Combine(contentRoot, DefaultCertificatePath);
        var keyFile = Path.Combine(contentRoot, DefaultKeyPath);
        if (File.Exists(certificateFile) && File.Exists(keyFile))
        {
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(certificateFile)!);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2));
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        return true;
    }

    private static bool IsDefault(string? configured, string expected) =>
        configured is not null && configured.Replace('\\', '/').TrimStart('.', '/') == expected;
}
