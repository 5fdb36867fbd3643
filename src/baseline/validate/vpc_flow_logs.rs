//! `[vpc_flow_logs]`: a flow log on every VPC of every region in scope, delivered to the log
//! bucket (CIS 4.7).

use toml::Spanned;

use super::super::VpcFlowLogs;
use super::super::raw::RawVpcFlowLogs;
use super::checks::Checks;
use super::sections::{Sections, Written};

pub(super) fn read(checks: &mut Checks<'_>, written: Written<'_>, sections: &mut Sections) {
    sections.vpc_flow_logs = checks.declared(written, Checks::vpc_flow_logs);
}

impl Checks<'_> {
    fn vpc_flow_logs(&mut self, raw: RawVpcFlowLogs) -> Option<VpcFlowLogs> {
        let before = self.problems.len();
        let traffic_type = match raw.traffic_type {
            Some(kind) => {
                self.one_of(&kind, "traffic_type", &["REJECT", "ALL"]);
                kind.into_inner()
            }
            None => "REJECT".to_owned(),
        };
        let s3_key_prefix = self.key_prefix(raw.s3_key_prefix, "vpc-flow-logs");
        let max_aggregation_interval = match raw.max_aggregation_interval {
            Some(seconds) => self.aggregation_interval(&seconds),
            None => 600,
        };
        (self.problems.len() == before).then_some(VpcFlowLogs {
            traffic_type,
            s3_key_prefix,
            max_aggregation_interval,
        })
    }

    fn aggregation_interval(&mut self, seconds: &Spanned<i64>) -> i32 {
        match *seconds.get_ref() {
            60 => 60,
            600 => 600,
            other => {
                self.error(
                    seconds.span(),
                    format!("max_aggregation_interval = {other} is not accepted"),
                    "EC2 gathers a flow into a record over 60 or 600 seconds",
                );
                600
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::tests::{SCOPE, only_problem};

    #[test]
    fn flow_logs_take_rejected_traffic_every_ten_minutes_unless_told_otherwise() {
        let source = format!("{SCOPE}[cloudtrail]\n[vpc_flow_logs]\n");
        let flow_logs = parse(&source).unwrap().vpc_flow_logs.unwrap();
        assert_eq!(
            (
                flow_logs.traffic_type.as_str(),
                flow_logs.s3_key_prefix.as_str()
            ),
            ("REJECT", "vpc-flow-logs")
        );
        assert_eq!(flow_logs.max_aggregation_interval, 600);
    }

    #[test]
    fn a_traffic_type_or_interval_ec2_refuses_and_a_missing_bucket_are_named() {
        let with = |settings: &str| format!("{SCOPE}[cloudtrail]\n[vpc_flow_logs]\n{settings}\n");
        assert_eq!(
            only_problem(&with("traffic_type = \"ACCEPT\"")).1,
            "\"ACCEPT\""
        );
        assert_eq!(
            only_problem(&with("max_aggregation_interval = 300")),
            (
                "max_aggregation_interval = 300 is not accepted (EC2 gathers a flow into a record over 60 or 600 seconds)".to_owned(),
                "300"
            )
        );
        assert_eq!(
            only_problem(&format!("{SCOPE}[vpc_flow_logs]\n")).0,
            "[vpc_flow_logs] needs the log bucket, which [cloudtrail] or [config] makes (add [cloudtrail] (the trail and the log bucket it delivers to), or [config])"
        );
    }
}
