//! What an executable is, read from its headers alone: format (ELF, Mach-O, PE), architecture,
//! the platform Terraform would call it (`linux_arm64`, `darwin_amd64`, `windows_amd64`...), what
//! it needs from the machine at run time, and for Mach-O whether its code signature holds.
//!
//! "Self-contained" is what each release promises for its platform:
//! - ELF: no program interpreter (`PT_INTERP`) and no `DT_NEEDED` library: a static executable
//!   (static-pie included), which runs on any Linux of its architecture, whatever its C library;
//! - Mach-O: loads only system libraries (`/usr/lib/...`, `/System/Library/...`), present on
//!   every Mac;
//! - PE: imports only DLLs that ship with Windows (no MinGW runtime such as
//!   `libgcc_s_seh-1.dll` or `libwinpthread-1.dll` next to it).
//!
//! A Mach-O executable for arm64 must carry a valid code signature (an ad-hoc one will do):
//! macOS kills an unsigned or wrongly signed arm64 process at `exec`. The signature's code
//! directory holds a hash of every page of the file before it; those are recomputed here, so a
//! file changed after linking (by a `strip` that does not re-sign, say) fails without a Mac.

use std::fmt;

use object::read::elf::{Dyn as _, FileHeader as _, ProgramHeader as _};
use object::read::macho::{LoadCommandVariant, MachHeader as _};
use object::read::pe::{ImageNtHeaders as _, ImageOptionalHeader as _};
use object::{Architecture, FileKind};
use sha2::{Digest, Sha256};

/// An executable's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Linux's.
    Elf,
    /// macOS's.
    MachO,
    /// Windows'.
    Pe,
}

impl Format {
    /// Terraform's name for the operating system that runs this format.
    pub fn os(self) -> &'static str {
        match self {
            Format::Elf => "linux",
            Format::MachO => "darwin",
            Format::Pe => "windows",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Elf => "ELF",
            Format::MachO => "Mach-O",
            Format::Pe => "PE",
        })
    }
}

/// A Mach-O code signature, as far as it was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSignature {
    /// The identity the code directory names.
    pub identifier: String,
    /// The code directory's flags (`0x2` ad-hoc, `0x20000` linker-signed).
    pub flags: u32,
    /// The size of each hashed page, in bytes.
    pub page_size: usize,
    /// Pages whose hash was recomputed and matched.
    pub pages: usize,
    /// Special slots (requirements, entitlements...) whose blob hash matched.
    pub special_slots_checked: usize,
}

impl CodeSignature {
    /// Whether the signature is ad-hoc (no certificate), as zig's linker makes it.
    pub fn adhoc(&self) -> bool {
        self.flags & 0x2 != 0
    }
}

/// What the headers say.
#[derive(Debug, Clone)]
pub struct Inspection {
    /// ELF, Mach-O or PE: which operating system it is for.
    pub format: Format,
    /// The CPU it is for.
    pub architecture: Architecture,
    /// An executable program (not a library or an object file).
    pub executable: bool,
    /// ELF: the program interpreter, if any.
    pub interpreter: Option<String>,
    /// ELF `DT_NEEDED`, Mach-O `LC_LOAD_DYLIB` (and weak/re-export/upward), PE import DLLs.
    pub libraries: Vec<String>,
    /// Mach-O: the minimum macOS version (`LC_BUILD_VERSION` or `LC_VERSION_MIN_MACOSX`).
    pub min_os: Option<String>,
    /// Mach-O: `None` without `LC_CODE_SIGNATURE`; `Some(Err)` when it does not verify.
    pub code_signature: Option<Result<CodeSignature, String>>,
    /// PE: the subsystem (3 = console).
    pub subsystem: Option<u16>,
}

/// Terraform's name for the platform this program runs on, e.g. `linux_amd64`.
pub fn host_platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

/// Terraform's architecture name for `arch`.
pub fn terraform_arch(arch: Architecture) -> Option<&'static str> {
    match arch {
        Architecture::X86_64 => Some("amd64"),
        Architecture::Aarch64 => Some("arm64"),
        Architecture::I386 => Some("386"),
        Architecture::Arm => Some("arm"),
        _ => None,
    }
}

impl Inspection {
    /// The platform Terraform would install this for, e.g. `linux_arm64`.
    pub fn platform(&self) -> String {
        let arch = terraform_arch(self.architecture).map_or_else(|| format!("{:?}", self.architecture), String::from);
        format!("{}_{arch}", self.format.os())
    }

    /// Why the executable would need something the target machine may not have; empty when it
    /// is self-contained (see the module's doc).
    pub fn outside_dependencies(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self.format {
            Format::Elf => {
                if let Some(interp) = &self.interpreter {
                    out.push(format!("needs the program interpreter {interp}"));
                }
                for lib in &self.libraries {
                    out.push(format!("needs the shared library {lib}"));
                }
            }
            Format::MachO => {
                for lib in self.libraries.iter().filter(|l| !is_macos_system_library(l)) {
                    out.push(format!("loads {lib}, which is not a macOS system library"));
                }
            }
            Format::Pe => {
                for dll in self.libraries.iter().filter(|d| !is_windows_system_dll(d)) {
                    out.push(format!("imports {dll}, which does not ship with Windows"));
                }
            }
        }
        out
    }

    /// Problems that would stop the executable from running as a provider on `platform`, or
    /// (with `self_contained`) from running on every machine of that platform.
    pub fn problems(&self, platform: Option<&str>, self_contained: bool) -> Vec<String> {
        let mut out = Vec::new();
        if !self.executable {
            out.push(format!("not an executable program ({} file of another kind)", self.format));
        }
        if let Some(want) = platform {
            let got = self.platform();
            if got != want {
                out.push(format!("built for {got}, expected {want}"));
            }
        }
        if self_contained {
            out.extend(self.outside_dependencies());
        }
        match (&self.code_signature, self.format, self.architecture) {
            (Some(Err(e)), ..) => out.push(format!("code signature does not verify: {e}")),
            (None, Format::MachO, Architecture::Aarch64) => {
                out.push("no code signature: macOS refuses to run an unsigned arm64 executable".into())
            }
            _ => {}
        }
        if self.format == Format::Pe && self.subsystem != Some(object::pe::IMAGE_SUBSYSTEM_WINDOWS_CUI) {
            out.push(format!(
                "subsystem {:?}, not the console (3): Terraform reads the handshake from the provider's standard output",
                self.subsystem
            ));
        }
        out
    }

    /// With `oldest` such as `11.0`: why the executable would not run on that macOS (its
    /// minimum version is newer, or it names none).
    pub fn runs_on_macos(&self, oldest: &str) -> Result<(), String> {
        let parse = |v: &str| -> Vec<u32> { v.split('.').map(|p| p.parse().unwrap_or(u32::MAX)).collect() };
        let pad = |mut v: Vec<u32>| {
            v.resize(3, 0);
            v
        };
        match &self.min_os {
            None => Err("no minimum macOS version in the headers".into()),
            Some(min) if pad(parse(min)) > pad(parse(oldest)) => {
                Err(format!("needs macOS {min} or later; it should run on macOS {oldest}"))
            }
            Some(_) => Ok(()),
        }
    }

    /// One line per fact, for people.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![
            format!("format: {} ({:?})", self.format, self.architecture),
            format!("platform: {}", self.platform()),
            format!("executable: {}", if self.executable { "yes" } else { "no" }),
        ];
        match self.format {
            Format::Elf => {
                let linkage = if self.interpreter.is_none() && self.libraries.is_empty() {
                    "static (no interpreter, no shared libraries)".to_string()
                } else {
                    format!(
                        "dynamic (interpreter {}, libraries: {})",
                        self.interpreter.as_deref().unwrap_or("none"),
                        list(&self.libraries)
                    )
                };
                lines.push(format!("linkage: {linkage}"));
            }
            Format::MachO => {
                lines.push(format!("libraries: {}", list(&self.libraries)));
                if let Some(min) = &self.min_os {
                    lines.push(format!("minimum macOS: {min}"));
                }
                lines.push(match &self.code_signature {
                    None => "code signature: none".into(),
                    Some(Err(e)) => format!("code signature: INVALID: {e}"),
                    Some(Ok(sig)) => format!(
                        "code signature: valid{} (identifier {}, flags {:#x}, {} pages of {} bytes and {} special slots hashed with SHA-256 match)",
                        if sig.adhoc() { ", ad-hoc" } else { "" },
                        sig.identifier,
                        sig.flags,
                        sig.pages,
                        sig.page_size,
                        sig.special_slots_checked
                    ),
                });
            }
            Format::Pe => {
                lines.push(format!("DLLs: {}", list(&self.libraries)));
                lines.push(format!(
                    "subsystem: {}",
                    match self.subsystem {
                        Some(3) => "console".to_string(),
                        other => format!("{other:?}"),
                    }
                ));
            }
        }
        let outside = self.outside_dependencies();
        lines.push(if outside.is_empty() {
            "self-contained: yes".into()
        } else {
            format!("self-contained: no ({})", outside.join("; "))
        });
        lines
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// A library every Mac has: in the shared cache under /usr/lib or a system framework.
fn is_macos_system_library(path: &str) -> bool {
    path.starts_with("/usr/lib/") || path.starts_with("/System/Library/")
}

/// DLLs of Windows itself (and its API sets), which every Windows 10 or later has.
fn is_windows_system_dll(name: &str) -> bool {
    const SYSTEM: &[&str] = &[
        "advapi32.dll",
        "bcrypt.dll",
        "bcryptprimitives.dll",
        "crypt32.dll",
        "dbghelp.dll",
        "iphlpapi.dll",
        "kernel32.dll",
        "kernelbase.dll",
        "msvcrt.dll",
        "ncrypt.dll",
        "ntdll.dll",
        "ole32.dll",
        "oleaut32.dll",
        "secur32.dll",
        "shell32.dll",
        "ucrtbase.dll",
        "user32.dll",
        "userenv.dll",
        "ws2_32.dll",
    ];
    let lower = name.to_ascii_lowercase();
    SYSTEM.contains(&lower.as_str()) || lower.starts_with("api-ms-win-") || lower.starts_with("ext-ms-win-")
}

/// Reads the headers of `data`, an executable's contents.
pub fn inspect(data: &[u8]) -> Result<Inspection, String> {
    let kind = FileKind::parse(data).map_err(|e| format!("not an executable this tool reads: {e}"))?;
    match kind {
        FileKind::Elf64 => elf(data),
        FileKind::MachO64 => macho(data),
        FileKind::Pe64 => pe(data),
        FileKind::MachOFat32 | FileKind::MachOFat64 => {
            Err("a universal (fat) Mach-O file; the release ships one architecture per file".into())
        }
        other => Err(format!("a {other:?} file, not a 64-bit ELF, Mach-O or PE executable")),
    }
}

/// Reads the file at `path` and inspects it.
pub fn inspect_file(path: &std::path::Path) -> Result<Inspection, String> {
    let data = std::fs::read(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    inspect(&data)
}

fn err(e: object::Error) -> String {
    e.to_string()
}

fn elf(data: &[u8]) -> Result<Inspection, String> {
    use object::elf;
    let header = elf::FileHeader64::<object::Endianness>::parse(data).map_err(err)?;
    let endian = header.endian().map_err(err)?;
    let file = object::File::parse(data).map_err(err)?;
    let phdrs = header.program_headers(endian, data).map_err(err)?;

    let mut interpreter = None;
    let mut needed_offsets = Vec::new();
    let mut strtab_addr = None;
    let mut strsz = None;
    for ph in phdrs {
        if let Some(interp) = ph.interpreter(endian, data).map_err(err)? {
            interpreter = Some(String::from_utf8_lossy(interp).into_owned());
        }
        if let Some(dynamic) = ph.dynamic(endian, data).map_err(err)? {
            for d in dynamic {
                match d.d_tag(endian) as u32 {
                    elf::DT_NULL => break,
                    elf::DT_NEEDED => needed_offsets.push(d.d_val(endian)),
                    elf::DT_STRTAB => strtab_addr = Some(d.d_val(endian)),
                    elf::DT_STRSZ => strsz = Some(d.d_val(endian)),
                    _ => {}
                }
            }
        }
    }
    // DT_STRTAB is an address: find the file offset through the segment that loads it.
    let strtab = strtab_addr.and_then(|addr| {
        phdrs.iter().find_map(|ph| {
            let (vaddr, memsz) = (ph.p_vaddr(endian), ph.p_filesz(endian));
            (ph.p_type(endian) == elf::PT_LOAD && addr >= vaddr && addr < vaddr + memsz).then(|| {
                let start = (ph.p_offset(endian) + (addr - vaddr)) as usize;
                let end = strsz.map_or(data.len(), |s| (start + s as usize).min(data.len()));
                &data[start.min(data.len())..end]
            })
        })
    });
    let libraries = needed_offsets
        .iter()
        .map(|&off| {
            strtab
                .and_then(|t| t.get(off as usize..))
                .and_then(|s| s.split(|&b| b == 0).next())
                .map_or_else(|| format!("<name at {off}>"), |s| String::from_utf8_lossy(s).into_owned())
        })
        .collect();
    let e_type = header.e_type(endian);
    let executable = header.e_entry(endian) != 0 && matches!(e_type, elf::ET_EXEC | elf::ET_DYN);
    Ok(Inspection {
        format: Format::Elf,
        architecture: object::Object::architecture(&file),
        executable,
        interpreter,
        libraries,
        min_os: None,
        code_signature: None,
        subsystem: None,
    })
}

fn version_string(v: u32) -> String {
    format!("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff)
}

fn macho(data: &[u8]) -> Result<Inspection, String> {
    use object::macho;
    let header = macho::MachHeader64::<object::Endianness>::parse(data, 0).map_err(err)?;
    let endian = header.endian().map_err(err)?;
    let file = object::File::parse(data).map_err(err)?;
    let mut commands = header.load_commands(endian, data, 0).map_err(err)?;
    let mut libraries = Vec::new();
    let mut min_os = None;
    let mut signature = None;
    while let Some(command) = commands.next().map_err(err)? {
        match command.variant().map_err(err)? {
            LoadCommandVariant::Dylib(dylib) => {
                let name = command.string(endian, dylib.dylib.name).map_err(err)?;
                libraries.push(String::from_utf8_lossy(name).into_owned());
            }
            LoadCommandVariant::BuildVersion(build) if build.platform.get(endian) == macho::PLATFORM_MACOS => {
                min_os = Some(version_string(build.minos.get(endian)));
            }
            LoadCommandVariant::VersionMin(v) if command.cmd() == macho::LC_VERSION_MIN_MACOSX => {
                min_os = Some(version_string(v.version.get(endian)));
            }
            LoadCommandVariant::LinkeditData(link) if command.cmd() == macho::LC_CODE_SIGNATURE => {
                signature = Some((link.dataoff.get(endian) as usize, link.datasize.get(endian) as usize));
            }
            _ => {}
        }
    }
    let code_signature = signature.map(|(off, size)| verify_code_signature(data, off, size));
    Ok(Inspection {
        format: Format::MachO,
        architecture: object::Object::architecture(&file),
        executable: header.filetype(endian) == macho::MH_EXECUTE,
        interpreter: None,
        libraries,
        min_os,
        code_signature,
        subsystem: None,
    })
}

fn be32(data: &[u8], at: usize) -> Result<u32, String> {
    data.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| format!("truncated at byte {at}"))
}

const CSMAGIC_EMBEDDED_SIGNATURE: u32 = 0xfade_0cc0;
const CSMAGIC_CODEDIRECTORY: u32 = 0xfade_0c02;
const CSSLOT_CODEDIRECTORY: u32 = 0;
const CS_HASHTYPE_SHA256: u8 = 2;

/// Checks the embedded signature at `offset..offset + size` of a thin Mach-O file: its code
/// directory's hash of every page of the file up to the code limit, and of every special slot
/// whose blob is present (requirements, entitlements...).
pub fn verify_code_signature(data: &[u8], offset: usize, size: usize) -> Result<CodeSignature, String> {
    let blob =
        data.get(offset..offset.saturating_add(size)).ok_or("LC_CODE_SIGNATURE points past the end of the file")?;
    if be32(blob, 0)? != CSMAGIC_EMBEDDED_SIGNATURE {
        return Err(format!("not an embedded signature (magic {:#x})", be32(blob, 0)?));
    }
    let count = be32(blob, 8)? as usize;
    let mut index = Vec::with_capacity(count.min(64));
    for i in 0..count {
        index.push((be32(blob, 12 + 8 * i)?, be32(blob, 16 + 8 * i)? as usize));
    }
    let cd_offset =
        index.iter().find(|(slot, _)| *slot == CSSLOT_CODEDIRECTORY).map(|(_, off)| *off).ok_or("no code directory")?;
    let cd = blob.get(cd_offset..).ok_or("code directory past the signature")?;
    if be32(cd, 0)? != CSMAGIC_CODEDIRECTORY {
        return Err("the code directory slot holds no code directory".into());
    }
    let cd_len = be32(cd, 4)? as usize;
    let cd = cd.get(..cd_len).ok_or("truncated code directory")?;
    let flags = be32(cd, 12)?;
    let hash_offset = be32(cd, 16)? as usize;
    let ident_offset = be32(cd, 20)? as usize;
    let n_special = be32(cd, 24)? as usize;
    let n_code = be32(cd, 28)? as usize;
    let code_limit = be32(cd, 32)? as usize;
    let (hash_size, hash_type, page_log2) = (
        *cd.get(36).ok_or("truncated code directory")? as usize,
        *cd.get(37).ok_or("truncated code directory")?,
        *cd.get(39).ok_or("truncated code directory")?,
    );
    if hash_type != CS_HASHTYPE_SHA256 || hash_size != 32 {
        return Err(format!("hash type {hash_type} (size {hash_size}); only SHA-256 is checked"));
    }
    if code_limit != offset {
        return Err(format!("signs the first {code_limit} bytes, but the signature starts at {offset}"));
    }
    let page_size = 1usize << page_log2;
    let pages = code_limit.div_ceil(page_size);
    if n_code != pages {
        return Err(format!("{n_code} page hashes for {pages} pages"));
    }
    let identifier = cd
        .get(ident_offset..)
        .and_then(|s| s.split(|&b| b == 0).next())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .ok_or("no identifier")?;
    for page in 0..pages {
        let start = page * page_size;
        let end = (start + page_size).min(code_limit);
        let want = cd.get(hash_offset + page * 32..hash_offset + page * 32 + 32).ok_or("truncated page hashes")?;
        if Sha256::digest(&data[start..end])[..] != *want {
            return Err(format!(
                "page {page} (bytes {start}..{end}) does not match its hash: the file changed after signing"
            ));
        }
    }
    let mut special_checked = 0;
    for &(slot, blob_offset) in &index {
        if slot == CSSLOT_CODEDIRECTORY || slot as usize > n_special || slot >= 0x1000 {
            continue;
        }
        let b = blob.get(blob_offset..).ok_or("special slot blob past the signature")?;
        let len = be32(b, 4)? as usize;
        let b = b.get(..len).ok_or("truncated special slot blob")?;
        let at = hash_offset.checked_sub(slot as usize * 32).ok_or("special slot hash before the code directory")?;
        let want = cd.get(at..at + 32).ok_or("truncated special slot hashes")?;
        if Sha256::digest(b)[..] != *want {
            return Err(format!("special slot {slot} does not match its hash"));
        }
        special_checked += 1;
    }
    Ok(CodeSignature { identifier, flags, page_size, pages, special_slots_checked: special_checked })
}

fn pe(data: &[u8]) -> Result<Inspection, String> {
    let file = object::read::pe::PeFile64::parse(data).map_err(err)?;
    let nt = file.nt_headers();
    let characteristics = nt.file_header().characteristics.get(object::LittleEndian);
    let executable = characteristics & object::pe::IMAGE_FILE_EXECUTABLE_IMAGE != 0
        && characteristics & object::pe::IMAGE_FILE_DLL == 0;
    let mut libraries = Vec::new();
    if let Some(table) = file.import_table().map_err(err)? {
        let mut descriptors = table.descriptors().map_err(err)?;
        while let Some(d) = descriptors.next().map_err(err)? {
            let name = table.name(d.name.get(object::LittleEndian)).map_err(err)?;
            let name = String::from_utf8_lossy(name).into_owned();
            if !libraries.contains(&name) {
                libraries.push(name);
            }
        }
    }
    Ok(Inspection {
        format: Format::Pe,
        architecture: object::Object::architecture(&file),
        executable,
        interpreter: None,
        libraries,
        min_os: None,
        code_signature: None,
        subsystem: Some(nt.optional_header().subsystem()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal embedded signature over `code`, as a linker writes it: a superblob holding a
    /// code directory (version 0x20400) with one SHA-256 hash per page, and a requirements blob
    /// in special slot 2.
    fn signed(code: &[u8], page_log2: u8) -> Vec<u8> {
        let page = 1usize << page_log2;
        let pages = code.len().div_ceil(page);
        let ident = b"probe-test\0";
        let requirements: Vec<u8> = [0xfade_0c01u32, 12, 0].iter().flat_map(|v| v.to_be_bytes()).collect();
        let n_special = 2usize;
        let header_len = 88; // through execSegFlags (version 0x20400)
        let ident_offset = header_len;
        let hash_offset = ident_offset + ident.len() + n_special * 32;
        let cd_len = hash_offset + pages * 32;
        let mut cd = Vec::new();
        for v in [
            CSMAGIC_CODEDIRECTORY,
            cd_len as u32,
            0x20400,
            0x2 | 0x20000,
            hash_offset as u32,
            ident_offset as u32,
            n_special as u32,
            pages as u32,
            code.len() as u32,
        ] {
            cd.extend(v.to_be_bytes());
        }
        cd.extend([32, CS_HASHTYPE_SHA256, 0, page_log2]);
        cd.resize(header_len, 0);
        cd.extend(ident);
        // Special slots count down from the hashes: slot 2 first, then slot 1 (empty).
        cd.extend(Sha256::digest(&requirements));
        cd.extend([0u8; 32]);
        for chunk in code.chunks(page) {
            cd.extend(Sha256::digest(chunk));
        }
        assert_eq!(cd.len(), cd_len);
        let index_len = 12 + 2 * 8;
        let mut sig = Vec::new();
        let total = index_len + cd.len() + requirements.len();
        for v in [
            CSMAGIC_EMBEDDED_SIGNATURE,
            total as u32,
            2,
            CSSLOT_CODEDIRECTORY,
            index_len as u32,
            2,
            (index_len + cd.len()) as u32,
        ] {
            sig.extend(v.to_be_bytes());
        }
        sig.extend(cd);
        sig.extend(requirements);
        let mut file = code.to_vec();
        file.extend(sig);
        file
    }

    #[test]
    fn code_signature_holds_until_a_byte_changes() {
        let code: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let file = signed(&code, 12);
        let sig = verify_code_signature(&file, code.len(), file.len() - code.len()).unwrap();
        assert_eq!((sig.pages, sig.page_size, sig.special_slots_checked), (3, 4096, 1));
        assert!(sig.adhoc());
        assert_eq!(sig.identifier, "probe-test");

        // A changed byte in the last, partial page.
        let mut tampered = file.clone();
        tampered[9_000] ^= 1;
        let e = verify_code_signature(&tampered, code.len(), file.len() - code.len()).unwrap_err();
        assert!(e.contains("page 2"), "{e}");

        // A changed requirements blob.
        let mut tampered = file.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let e = verify_code_signature(&tampered, code.len(), file.len() - code.len()).unwrap_err();
        assert!(e.contains("special slot 2"), "{e}");

        // Bytes inserted before the signature: the signed range no longer reaches it.
        let mut grown = code.clone();
        grown.extend([0u8; 16]);
        grown.extend_from_slice(&file[code.len()..]);
        let e = verify_code_signature(&grown, code.len() + 16, file.len() - code.len()).unwrap_err();
        assert!(e.contains("signature starts at"), "{e}");
    }

    #[test]
    fn not_an_executable() {
        assert!(inspect(b"#!/bin/sh\necho hello\n").is_err());
        assert!(inspect(&[0x7f, b'E', b'L', b'F', 2, 1, 1]).is_err(), "a truncated ELF header");
    }

    /// The test program itself: an ELF (or Mach-O or PE) of this machine's architecture.
    #[test]
    fn this_test_program() {
        let me = inspect_file(&std::env::current_exe().unwrap()).unwrap();
        let (os, arch) = (std::env::consts::OS, std::env::consts::ARCH);
        assert_eq!(me.platform(), host_platform());
        let os = if os == "macos" { "darwin" } else { os };
        let arch = if arch == "x86_64" { "amd64" } else { "arm64" };
        assert!(me.executable);
        assert!(me.problems(Some(&me.platform()), false).is_empty(), "{:?}", me.describe());
        let elsewhere = if arch == "amd64" { format!("{os}_arm64") } else { format!("{os}_amd64") };
        let problems = me.problems(Some(&elsewhere), false);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains(&format!("expected {elsewhere}")), "{problems:?}");
    }

    #[test]
    fn minimum_macos() {
        let mut me = inspect_file(&std::env::current_exe().unwrap()).unwrap();
        me.min_os = Some("11.0.0".into());
        assert!(me.runs_on_macos("11.0").is_ok());
        assert!(me.runs_on_macos("12").is_ok());
        assert!(me.runs_on_macos("10.15").unwrap_err().contains("needs macOS 11.0.0"));
        me.min_os = Some("15.0.0".into());
        assert!(me.runs_on_macos("11.0").is_err(), "zig's default when no deployment target is set");
        me.min_os = None;
        assert!(me.runs_on_macos("11.0").is_err());
    }

    #[test]
    fn system_libraries() {
        assert!(is_macos_system_library("/usr/lib/libSystem.B.dylib"));
        assert!(is_macos_system_library("/System/Library/Frameworks/Security.framework/Versions/A/Security"));
        assert!(!is_macos_system_library("/opt/homebrew/lib/libssl.3.dylib"));
        assert!(!is_macos_system_library("@rpath/libfoo.dylib"));
        assert!(is_windows_system_dll("KERNEL32.dll"));
        assert!(is_windows_system_dll("api-ms-win-core-synch-l1-2-0.dll"));
        assert!(!is_windows_system_dll("libgcc_s_seh-1.dll"));
        assert!(!is_windows_system_dll("libwinpthread-1.dll"));
    }
}
