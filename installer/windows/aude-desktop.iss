; Inno Setup script: the Windows installer of AUDE Desktop, same content as the Linux bundle.
; It cannot be built on this Linux machine (Inno Setup runs on Windows). On a Windows build machine:
;   python -m pip install -e ".[package]"
;   pyinstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller installer\aude-desktop.spec
;   for /f %v in ('python -c "from importlib.metadata import version; print(version(\"aude-desktop\"))"') do set VERSION=%v
;   iscc /DAppVersion=%VERSION% installer\windows\aude-desktop.iss
; The version therefore comes from the package metadata (pyproject.toml), as for the .deb.

#ifndef AppVersion
  #error AppVersion manquant : iscc /DAppVersion=X.Y.Z installer\windows\aude-desktop.iss
#endif

[Setup]
AppId={{6C1E4E0B-5B1D-4E55-9A3C-0A7DE5C0FFEE}
AppName=AUDE Desktop
AppVersion={#AppVersion}
AppPublisher=Ministère chargé de la santé — DGOS
DefaultDirName={autopf}\AUDE Desktop
DefaultGroupName=AUDE Desktop
OutputDir=..\..\dist
OutputBaseFilename=aude-desktop-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\aude-desktop.ico
UninstallDisplayIcon={app}\aude-desktop.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
; Deployed by IT (GPO, SCCM, Intune): /VERYSILENT /SUPPRESSMSGBOXES /NORESTART works unattended.

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Files]
Source: "..\..\dist\aude-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\AUDE Desktop"; Filename: "{app}\aude-desktop.exe"
Name: "{autodesktop}\AUDE Desktop"; Filename: "{app}\aude-desktop.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Créer une icône sur le Bureau"; Flags: unchecked

[Run]
Filename: "{app}\aude-desktop.exe"; Description: "Lancer AUDE Desktop"; Flags: nowait postinstall skipifsilent
