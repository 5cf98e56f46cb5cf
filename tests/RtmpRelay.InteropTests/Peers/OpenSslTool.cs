using RtmpRelay.InteropTests.Infrastructure;

namespace RtmpRelay.InteropTests.Peers;

/// <summary>A PEM certificate and its private key, as files.</summary>
internal sealed record PemCertificate(string CertificatePath, string KeyPath);

/// <summary>
/// The openssl command line, as an operator would use it: a self-signed certificate for 127.0.0.1 (for a TLS peer the
/// relay pushes to) and a certificate's SHA-256 fingerprint (what the relay's CertificateFingerprint pins).
/// </summary>
internal static class OpenSslTool
{
    /// <summary>
    /// <c>openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost</c>
    /// into NAME-cert.pem and NAME-key.pem in <paramref name="directory"/>.
    /// </summary>
    public static async Task<PemCertificate> MakeSelfSignedAsync(string directory, string name)
    {
        var certificate = new PemCertificate(Path.Combine(directory, name + "-cert.pem"), Path.Combine(directory, name + "-key.pem"));
        using var openssl = ManagedProcess.Start(
            "openssl-req",
            PeerBinaries.OpenSsl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", certificate.KeyPath, "-out", certificate.CertificatePath,
            ],
            directory);
        var exitCode = await openssl.WaitForExitCodeAsync(TimeSpan.FromSeconds(30));
        if (exitCode != 0 || !File.Exists(certificate.CertificatePath) || !File.Exists(certificate.KeyPath))
        {
            throw new InvalidOperationException($"openssl could not make a self-signed certificate.\n{openssl.Describe()}");
        }

        return certificate;
    }

    /// <summary>
    /// <c>openssl x509 -in CERT -noout -fingerprint -sha256</c>: the fingerprint as openssl prints it, upper-case hex
    /// pairs separated by colons ("98:52:1D:...").
    /// </summary>
    public static async Task<string> Sha256FingerprintAsync(string certificatePath)
    {
        using var openssl = ManagedProcess.Start(
            "openssl-x509", PeerBinaries.OpenSsl, ["x509", "-in", certificatePath, "-noout", "-fingerprint", "-sha256"], Path.GetDirectoryName(certificatePath));
        var exitCode = await openssl.WaitForExitCodeAsync(TimeSpan.FromSeconds(30));
        var line = openssl.StandardOutput.Trim();
        var equals = line.IndexOf('=');
        if (exitCode != 0 || equals < 0)
        {
            throw new InvalidOperationException($"openssl could not read the fingerprint of {certificatePath}.\n{openssl.Describe()}");
        }

        return line[(equals + 1)..].Trim();
    }
}
