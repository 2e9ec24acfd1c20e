namespace Pipeline.HeyGen.Api;

/// <summary>Settings of <see cref="HeyGenApi"/> (the Interactive Avatar streaming API).</summary>
public sealed class HeyGenApiOptions : AvatarApiOptions
{
    /// <summary>The production base URL, <c>https://api.heygen.com/v1</c>.</summary>
    public static readonly Uri DefaultBaseUrl = new("https://api.heygen.com/v1");

    /// <summary>Creates options pointing at production; success code 100.</summary>
    public HeyGenApiOptions()
        : base(DefaultBaseUrl, 100)
    {
    }
}
