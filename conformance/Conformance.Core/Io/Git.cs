namespace Conformance.Core.Io;

/// <summary>Asks git about the checkout (commit ids for goldens and reports); null where git or the checkout is missing.</summary>
public static class Git
{
    /// <summary>The standard output of <c>git ARGS</c> run in <paramref name="dir"/>, or null when it fails.</summary>
    public static string? Output(string dir, string args)
    {
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("git", args)
            {
                WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var p = System.Diagnostics.Process.Start(info);
            if (p == null) return null;
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
